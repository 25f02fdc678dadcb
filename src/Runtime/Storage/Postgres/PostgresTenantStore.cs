using System.Data.Common;
using Dapper;
using Warden.Runtime.Storage.Sqlite;

namespace Warden.Runtime.Storage.Postgres;

public sealed class PostgresTenantStore(PostgresDatabase db, TimeProvider clock) : ITenantStore
{
    private const string KeyColumns = "id, tenant_id, name, prefix, role, created_at, revoked_at";

    public async Task<string?> BootstrapAsync(string? bootstrapKey, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        // Instances sharing the database start together: one bootstraps, the others then find the tenant and the key.
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@lock)", new { @lock = AdvisoryLocks.Bootstrap }, tx);
        var tenants = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tenants", transaction: tx);
        if (tenants > 0)
        {
            if (!string.IsNullOrEmpty(bootstrapKey)
                && await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_keys WHERE key_hash = @h", new { h = ApiKeys.Hash(bootstrapKey) }, tx) == 0)
            {
                // The configured key is new to this store: add it to the demo tenant so scripts keep working.
                await InsertKeyAsync(connection, tx, SqliteTenantStore.DemoTenant, "bootstrap", "admin", bootstrapKey);
            }

            await tx.CommitAsync(ct);
            return null;
        }

        await connection.ExecuteAsync(
            "INSERT INTO tenants (id, name, created_at, is_platform) VALUES (@id, @name, @now, TRUE)",
            new { id = SqliteTenantStore.DemoTenant, name = "Demo", now = Now() },
            tx);
        var key = string.IsNullOrEmpty(bootstrapKey) ? ApiKeys.Generate() : bootstrapKey;
        await InsertKeyAsync(connection, tx, SqliteTenantStore.DemoTenant, "bootstrap", "admin", key);
        await tx.CommitAsync(ct);
        return key;
    }

    public async Task<TenantRecord> CreateTenantAsync(string id, string name, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var record = new TenantRecord { Id = id, Name = name, CreatedAt = Now() };
        await connection.ExecuteAsync("INSERT INTO tenants (id, name, created_at) VALUES (@Id, @Name, @CreatedAt)", record);
        return record;
    }

    public async Task<string> IssueKeyAsync(string tenantId, string name, string role, CancellationToken ct = default) =>
        (await CreateKeyAsync(tenantId, name, role, ct)).Key;

    public async Task<(ApiKeyRecord Record, string Key)> CreateKeyAsync(string tenantId, string name, string role, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var key = ApiKeys.Generate();
        var record = await InsertKeyAsync(connection, null, tenantId, name, role, key);
        return (record, key);
    }

    public async Task<AuthenticatedKey?> AuthenticateAsync(string plainKey, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<AuthenticatedKey>(
            """
            SELECT k.id AS KeyId, k.tenant_id AS TenantId, k.role AS Role, t.is_platform AS IsPlatform
            FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
            WHERE k.key_hash = @h AND k.revoked_at IS NULL
            """,
            new { h = ApiKeys.Hash(plainKey) });
    }

    public async Task<IReadOnlyList<string>> ListTenantIdsAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<string>("SELECT id FROM tenants ORDER BY id")).AsList();
    }

    public async Task<TenantRecord?> GetTenantAsync(string tenantId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<TenantRecord>("SELECT id, name, is_platform, created_at FROM tenants WHERE id = @tenantId", new { tenantId });
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string tenantId, string? prefix, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);

        // left() rather than LIKE, so '%' and '_' in a prefix stay literal; lower() on "C" text folds ASCII only,
        // matching SQLite's LIKE, which the SQLite store uses.
        return (await connection.QueryAsync<ApiKeyRecord>(
            prefix is null
                ? $"SELECT {KeyColumns} FROM api_keys WHERE tenant_id = @tenantId ORDER BY created_at, id"
                : $"SELECT {KeyColumns} FROM api_keys WHERE tenant_id = @tenantId AND lower(left(prefix, length(@prefix))) = lower(@prefix) ORDER BY created_at, id",
            new { tenantId, prefix })).AsList();
    }

    public async Task<ApiKeyRecord?> RevokeKeyAsync(string tenantId, string keyId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(
            $"UPDATE api_keys SET revoked_at = @now WHERE tenant_id = @tenantId AND id = @keyId AND revoked_at IS NULL RETURNING {KeyColumns}",
            new { tenantId, keyId, now = Now() });
    }

    private async Task<ApiKeyRecord> InsertKeyAsync(DbConnection connection, DbTransaction? tx, string tenantId, string name, string role, string key)
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
