using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>Every tenant id: a scan of the tenants table (one entity per tenant, nothing else), for scheduled work only.</summary>
public sealed class TablesTenantDirectory(TableStorage storage) : ITenantDirectory
{
    public async Task<IReadOnlyList<string>> ListTenantIdsAsync(CancellationToken ct = default)
    {
        var tenants = await storage.TableAsync(TablesTenantStore.TenantsTable, ct);
        var ids = new List<string>();
        await foreach (var entity in tenants.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {TablesTenantStore.TenantRow}"), select: ["Id"], cancellationToken: ct))
        {
            ids.Add(entity.Required("Id"));
        }

        return [.. ids.Order(StringComparer.Ordinal)];
    }
}
