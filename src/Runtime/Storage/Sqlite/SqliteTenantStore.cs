using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Warden.Runtime.Storage.Sqlite;

public sealed class SqliteTenantStore(SqliteDatabase db, TimeProvider clock) : ITenantStore
{
    public const string DemoTenant = "demo";

    public async Task<string?> BootstrapAsync(string? bootstrapKey, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        await using var tx = await connection.BeginTransactionAsync(ct);
        var tenants = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tenants", transaction: tx);
        if (tenants > 0)
        {
            if (!string.IsNullOrEmpty(bootstrapKey)
                && await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_keys WHERE key_hash = @h", new { h = ApiKeys.Hash(bootstrapKey) }, tx) == 0)
            {
                // The configured key is new to this store: add it to the demo tenant so scripts keep working.
                await InsertKeyAsync(connection, tx, DemoTenant, "bootstrap", "admin", bootstrapKey);
                await tx.CommitAsync(ct);
            }

            return null;
        }

        var now = Now();
        await connection.ExecuteAsync("INSERT INTO tenants (id, name, created_at, is_platform) VALUES (@id, @name, @now, 1)", new { id = DemoTenant, name = "Demo", now }, tx);
        var key = string.IsNullOrEmpty(bootstrapKey) ? ApiKeys.Generate() : bootstrapKey;
        await InsertKeyAsync(connection, tx, DemoTenant, "bootstrap", "admin", key);
        await tx.CommitAsync(ct);
        return key;
    }

    public async Task<IReadOnlyList<string>> ListTenantIdsAsync(CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<string>("SELECT id FROM tenants ORDER BY id")).AsList();
    }

    public async Task<TenantRecord> CreateTenantAsync(string id, string name, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        var record = new TenantRecord { Id = id, Name = name, CreatedAt = Now() };
        await connection.ExecuteAsync("INSERT INTO tenants (id, name, created_at) VALUES (@Id, @Name, @CreatedAt)", record);
        return record;
    }

    public async Task<string> IssueKeyAsync(string tenantId, string name, string role, CancellationToken ct = default) =>
        (await CreateKeyAsync(tenantId, name, role, ct)).Key;

    public async Task<(ApiKeyRecord Record, string Key)> CreateKeyAsync(string tenantId, string name, string role, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        await using var tx = await connection.BeginTransactionAsync(ct);
        var key = ApiKeys.Generate();
        var record = await InsertKeyAsync(connection, tx, tenantId, name, role, key);
        await tx.CommitAsync(ct);
        return (record, key);
    }

    public async Task<AuthenticatedKey?> AuthenticateAsync(string plainKey, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return await connection.QuerySingleOrDefaultAsync<AuthenticatedKey>(
            """
            SELECT k.id AS KeyId, k.tenant_id AS TenantId, k.role AS Role, t.is_platform AS IsPlatform
            FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
            WHERE k.key_hash = @h AND k.revoked_at IS NULL
            """,
            new { h = ApiKeys.Hash(plainKey) });
    }

    public async Task<TenantRecord?> GetTenantAsync(string tenantId, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return await connection.QuerySingleOrDefaultAsync<TenantRecord>("SELECT id, name, is_platform, created_at FROM tenants WHERE id = @tenantId", new { tenantId });
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string tenantId, string? prefix, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<ApiKeyRecord>(
            $"SELECT {KeyColumns} FROM api_keys WHERE tenant_id = @tenantId AND (@prefix IS NULL OR prefix LIKE @like ESCAPE '\\') ORDER BY created_at, id",
            new { tenantId, prefix, like = prefix is null ? null : prefix.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%" })).AsList();
    }

    public async Task<ApiKeyRecord?> RevokeKeyAsync(string tenantId, string keyId, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        var changed = await connection.ExecuteAsync(
            "UPDATE api_keys SET revoked_at = @now WHERE tenant_id = @tenantId AND id = @keyId AND revoked_at IS NULL",
            new { tenantId, keyId, now = Now() });
        return changed == 0
            ? null
            : await connection.QuerySingleAsync<ApiKeyRecord>($"SELECT {KeyColumns} FROM api_keys WHERE id = @keyId", new { keyId });
    }

    private const string KeyColumns = "id, tenant_id, name, prefix, role, created_at, revoked_at";

    private async Task<ApiKeyRecord> InsertKeyAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, string tenantId, string name, string role, string key)
    {
        var record = new ApiKeyRecord
        {
            Id = "key_" + Guid.NewGuid().ToString("N")[..16],
            TenantId = tenantId,
            Name = name,
            Prefix = ApiKeys.Prefix(key),
            Role = role,
            CreatedAt = Now(),
        };
        await connection.ExecuteAsync(
            "INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, role, created_at) VALUES (@Id, @TenantId, @Name, @Prefix, @hash, @Role, @CreatedAt)",
            new { record.Id, record.TenantId, record.Name, record.Prefix, hash = ApiKeys.Hash(key), record.Role, record.CreatedAt },
            tx);
        return record;
    }

    private string Now() => clock.GetUtcNow().ToString("O");
}

/// <summary>API keys: random, high-entropy, so a plain SHA-256 is a sufficient one-way store.</summary>
public static class ApiKeys
{
    public static string Generate() => "wdn_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>
    /// Enough of the key to tell keys apart in a list ("wdn_" and 8 hex digits of a generated key), and never more than
    /// a third of it, so a short hand-made key is not given away.
    /// </summary>
    public static string Prefix(string key) => key[..Math.Min(12, key.Length / 3)];
}
