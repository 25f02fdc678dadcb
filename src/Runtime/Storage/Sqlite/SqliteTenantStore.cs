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
        await connection.ExecuteAsync("INSERT INTO tenants (id, name, created_at) VALUES (@id, @name, @now)", new { id = DemoTenant, name = "Demo", now }, tx);
        var key = string.IsNullOrEmpty(bootstrapKey) ? ApiKeys.Generate() : bootstrapKey;
        await InsertKeyAsync(connection, tx, DemoTenant, "bootstrap", "admin", key);
        await tx.CommitAsync(ct);
        return key;
    }

    public async Task<TenantRecord> CreateTenantAsync(string id, string name, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        var record = new TenantRecord { Id = id, Name = name, CreatedAt = Now() };
        await connection.ExecuteAsync("INSERT INTO tenants (id, name, created_at) VALUES (@Id, @Name, @CreatedAt)", record);
        return record;
    }

    public async Task<string> IssueKeyAsync(string tenantId, string name, string role, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        await using var tx = await connection.BeginTransactionAsync(ct);
        var key = ApiKeys.Generate();
        await InsertKeyAsync(connection, tx, tenantId, name, role, key);
        await tx.CommitAsync(ct);
        return key;
    }

    public async Task<AuthenticatedKey?> AuthenticateAsync(string plainKey, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return await connection.QuerySingleOrDefaultAsync<AuthenticatedKey>(
            "SELECT id AS KeyId, tenant_id AS TenantId, role AS Role FROM api_keys WHERE key_hash = @h AND revoked_at IS NULL",
            new { h = ApiKeys.Hash(plainKey) });
    }

    private async Task InsertKeyAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, string tenantId, string name, string role, string key) =>
        await connection.ExecuteAsync(
            "INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, role, created_at) VALUES (@id, @tenantId, @name, @prefix, @hash, @role, @now)",
            new { id = "key_" + Guid.NewGuid().ToString("N")[..16], tenantId, name, prefix = ApiKeys.Prefix(key), hash = ApiKeys.Hash(key), role, now = Now() },
            tx);

    private string Now() => clock.GetUtcNow().ToString("O");
}

/// <summary>API keys: random, high-entropy, so a plain SHA-256 is a sufficient one-way store.</summary>
public static class ApiKeys
{
    public static string Generate() => "wdn_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string Prefix(string key) => key.Length <= 8 ? key : key[..8];
}
