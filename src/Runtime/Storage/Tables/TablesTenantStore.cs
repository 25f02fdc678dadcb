using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Warden.Runtime.Storage.Sqlite;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// Tenants and API keys on Table Storage, in three tables:
/// <list type="bullet">
/// <item><c>tenants</c>: PartitionKey = tenant id, RowKey = <c>tenant</c>. Get is a point read; the directory and the
/// bootstrap's "is the store empty" scan this table, which holds nothing else.</item>
/// <item><c>apikeys</c>: PartitionKey = tenant id, RowKey = key id. Listing a tenant's keys and revoking one stay in
/// its partition. The row keeps the key's hash (never the key), so a revoke can find the index entity.</item>
/// <item><c>apikeyhashes</c>: PartitionKey = SHA-256 of the key, RowKey = <c>key</c>: everything authentication needs
/// (tenant, key id, role, the tenant's platform flag), so authenticating is one point read. Written after the key
/// row and deleted before the key is marked revoked: a crash in between leaves a key that does not authenticate,
/// never a revoked one that does.</item>
/// </list>
/// </summary>
public sealed class TablesTenantStore(TableStorage storage, TimeProvider clock) : ITenantStore
{
    internal const string TenantsTable = "tenants";
    internal const string KeysTable = "apikeys";
    internal const string HashesTable = "apikeyhashes";
    internal const string TenantRow = "tenant";
    private const string HashRow = "key";

    public async Task<string?> BootstrapAsync(string? bootstrapKey, CancellationToken ct = default)
    {
        var configured = string.IsNullOrEmpty(bootstrapKey) ? null : bootstrapKey;
        if (!await AnyTenantAsync(ct))
        {
            var tenants = await storage.TableAsync(TenantsTable, ct);
            var created = true;
            try
            {
                await tenants.AddEntityAsync(TenantEntity(SqliteTenantStore.DemoTenant, "Demo", isPlatform: true), ct);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Another instance bootstrapped first: the store is not empty after all.
                created = false;
            }

            if (created)
            {
                var key = configured ?? ApiKeys.Generate();
                await AddKeyAsync(SqliteTenantStore.DemoTenant, "bootstrap", "admin", key, isPlatform: true, idFromHash: configured is not null, ct);
                return key;
            }
        }

        if (configured is not null && !await IsIndexedAsync(configured, ct))
        {
            // The configured key is new to this store: add it to the demo tenant so scripts keep working.
            await AddKeyAsync(SqliteTenantStore.DemoTenant, "bootstrap", "admin", configured, isPlatform: true, idFromHash: true, ct);
        }

        return null;
    }

    public async Task<TenantRecord> CreateTenantAsync(string id, string name, CancellationToken ct = default)
    {
        var entity = TenantEntity(id, name, isPlatform: false);
        try
        {
            await (await storage.TableAsync(TenantsTable, ct)).AddEntityAsync(entity, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw new InvalidOperationException($"tenant '{id}' already exists", ex);
        }

        return ToTenant(entity);
    }

    public async Task<string> IssueKeyAsync(string tenantId, string name, string role, CancellationToken ct = default) =>
        (await CreateKeyAsync(tenantId, name, role, ct)).Key;

    public async Task<(ApiKeyRecord Record, string Key)> CreateKeyAsync(string tenantId, string name, string role, CancellationToken ct = default)
    {
        var tenant = await GetTenantAsync(tenantId, ct) ?? throw new InvalidOperationException($"no tenant '{tenantId}' to issue a key in");
        var key = ApiKeys.Generate();
        return (await AddKeyAsync(tenantId, name, role, key, tenant.IsPlatform, idFromHash: false, ct), key);
    }

    public async Task<AuthenticatedKey?> AuthenticateAsync(string plainKey, CancellationToken ct = default)
    {
        var hashes = await storage.TableAsync(HashesTable, ct);
        var found = await hashes.GetEntityIfExistsAsync<TableEntity>(ApiKeys.Hash(plainKey), HashRow, cancellationToken: ct);
        return found.HasValue && found.Value is { } index
            ? new AuthenticatedKey
            {
                KeyId = index.Required("KeyId"),
                TenantId = index.Required("TenantId"),
                Role = index.Required("Role"),
                IsPlatform = index.GetBoolean("IsPlatform") ?? false,
            }
            : null;
    }

    /// <summary>Every tenant id: a scan of the tenants table (one entity per tenant, nothing else), for scheduled work only.</summary>
    public async Task<IReadOnlyList<string>> ListTenantIdsAsync(CancellationToken ct = default)
    {
        var tenants = await storage.TableAsync(TenantsTable, ct);
        var ids = new List<string>();
        await foreach (var entity in tenants.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {TenantRow}"), select: ["Id"], cancellationToken: ct))
        {
            ids.Add(entity.Required("Id"));
        }

        return [.. ids.Order(StringComparer.Ordinal)];
    }

    public async Task<TenantRecord?> GetTenantAsync(string tenantId, CancellationToken ct = default)
    {
        var tenants = await storage.TableAsync(TenantsTable, ct);
        var found = await tenants.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(tenantId), TenantRow, cancellationToken: ct);
        return found.HasValue && found.Value is { } entity ? ToTenant(entity) : null;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string tenantId, string? prefix, CancellationToken ct = default)
    {
        var keys = await storage.TableAsync(KeysTable, ct);
        var list = new List<ApiKeyRecord>();
        await foreach (var entity in keys.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(tenantId)}"), cancellationToken: ct))
        {
            var record = ToKey(entity);
            if (prefix is null || StartsWithAsciiIgnoreCase(record.Prefix, prefix))
            {
                list.Add(record);
            }
        }

        return [.. list.OrderBy(k => k.CreatedAt, StringComparer.Ordinal).ThenBy(k => k.Id, StringComparer.Ordinal)];
    }

    public async Task<ApiKeyRecord?> RevokeKeyAsync(string tenantId, string keyId, CancellationToken ct = default)
    {
        var keys = await storage.TableAsync(KeysTable, ct);
        var hashes = await storage.TableAsync(HashesTable, ct);
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
        {
            var found = await keys.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(tenantId), TableKeys.Escape(keyId), cancellationToken: ct);
            if (!found.HasValue || found.Value is not { } entity || entity.GetString("RevokedAt") is not null)
            {
                return null;
            }

            // The index first: from here on the key no longer authenticates, whatever happens to the rest.
            await hashes.DeleteEntityAsync(entity.Required("KeyHash"), HashRow, ETag.All, ct);
            entity["RevokedAt"] = Now();
            try
            {
                await keys.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
                return ToKey(entity);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Changed meanwhile (revoked by someone else, most likely): read it again.
            }
        }

        throw OptimisticRetry.GaveUp($"revoking key {keyId}");
    }

    /// <summary>Whether any tenant exists; a scan stops at the first (pages may come back empty before it).</summary>
    internal async Task<bool> AnyTenantAsync(CancellationToken ct)
    {
        var tenants = await storage.TableAsync(TenantsTable, ct);
        await foreach (var _ in tenants.QueryAsync<TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: ct))
        {
            return true;
        }

        return false;
    }

    private async Task<bool> IsIndexedAsync(string key, CancellationToken ct)
    {
        var hashes = await storage.TableAsync(HashesTable, ct);
        return (await hashes.GetEntityIfExistsAsync<TableEntity>(ApiKeys.Hash(key), HashRow, select: ["PartitionKey"], cancellationToken: ct)).HasValue;
    }

    /// <summary>
    /// The key row, then its index entity. A configured bootstrap key gets an id derived from its hash, so instances
    /// starting together with the same key write the same row once; an existing row that was revoked stays revoked.
    /// </summary>
    private async Task<ApiKeyRecord> AddKeyAsync(string tenantId, string name, string role, string key, bool isPlatform, bool idFromHash, CancellationToken ct)
    {
        var hash = ApiKeys.Hash(key);
        var record = new ApiKeyRecord
        {
            Id = "key_" + (idFromHash ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("warden-bootstrap-key\n" + hash)))[..16] : Guid.NewGuid().ToString("N")[..16]),
            TenantId = tenantId,
            Name = name,
            Prefix = ApiKeys.Prefix(key),
            Role = role,
            CreatedAt = Now(),
        };
        var row = new TableEntity(TableKeys.Escape(tenantId), TableKeys.Escape(record.Id))
        {
            ["Id"] = record.Id,
            ["TenantId"] = tenantId,
            ["Name"] = name,
            ["Prefix"] = record.Prefix,
            ["Role"] = role,
            ["CreatedAt"] = record.CreatedAt,
            ["KeyHash"] = hash,
        };
        var keys = await storage.TableAsync(KeysTable, ct);
        try
        {
            await keys.AddEntityAsync(row, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && idFromHash)
        {
            var existing = (await keys.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct)).Value;
            record = ToKey(existing);
            if (record.RevokedAt is not null)
            {
                return record;
            }
        }

        var index = new TableEntity(hash, HashRow)
        {
            ["TenantId"] = tenantId,
            ["KeyId"] = record.Id,
            ["Role"] = record.Role,
            ["IsPlatform"] = isPlatform,
        };
        try
        {
            await (await storage.TableAsync(HashesTable, ct)).AddEntityAsync(index, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && idFromHash)
        {
            // The other instance indexed the same bootstrap key.
        }

        return record;
    }

    private TableEntity TenantEntity(string id, string name, bool isPlatform) => new(TableKeys.Escape(id), TenantRow)
    {
        ["Id"] = id,
        ["Name"] = name,
        ["IsPlatform"] = isPlatform,
        ["CreatedAt"] = Now(),
    };

    internal static TenantRecord ToTenant(TableEntity entity) => new()
    {
        Id = entity.Required("Id"),
        Name = entity.Required("Name"),
        IsPlatform = entity.GetBoolean("IsPlatform") ?? false,
        CreatedAt = entity.Required("CreatedAt"),
    };

    private static ApiKeyRecord ToKey(TableEntity entity) => new()
    {
        Id = entity.Required("Id"),
        TenantId = entity.Required("TenantId"),
        Name = entity.Required("Name"),
        Prefix = entity.Required("Prefix"),
        Role = entity.Required("Role"),
        CreatedAt = entity.Required("CreatedAt"),
        RevokedAt = entity.GetString("RevokedAt"),
    };

    /// <summary>As the SQL stores match: ASCII letters fold, everything else (including '%' and '_') is literal.</summary>
    private static bool StartsWithAsciiIgnoreCase(string value, string prefix) =>
        value.Length >= prefix.Length && System.Text.Ascii.EqualsIgnoreCase(value.AsSpan(0, prefix.Length), prefix);

    private string Now() => clock.GetUtcNow().ToString("O");
}
