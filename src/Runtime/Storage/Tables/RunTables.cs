using Azure;
using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>The tables the Durable engine's read model lives in (each under <see cref="TableStorage.Prefix"/>), and the writes they share.</summary>
internal static class RunTables
{
    /// <summary>Run rows, their id pointers and the node index; PartitionKey = tenant. See <see cref="RunRows"/>.</summary>
    public const string Runs = "runs";

    /// <summary>One run's timeline: PartitionKey = tenant|run, RowKey = seq (19 digits).</summary>
    public const string RunEvents = "runevents";

    /// <summary>The tenant's merged timeline: PartitionKey = tenant, RowKey = at|run|seq.</summary>
    public const string TenantEvents = "tenantevents";

    /// <summary>PartitionKey = tenant, RowKey = approval id.</summary>
    public const string Approvals = "approvals";

    /// <summary>LLM usage: PartitionKey = tenant|day, RowKey = run|node|visit|attempt|call; attempt claims under tenant|attempts.</summary>
    public const string Usage = "usage";

    /// <summary>The most operations one entity-group transaction takes.</summary>
    private const int MaxBatch = 100;

    /// <summary>Upserts (replaces) the rows, one entity-group transaction per partition and hundred rows, so a replay rewrites the same rows.</summary>
    public static async Task UpsertAllAsync(TableClient table, IEnumerable<TableEntity> rows, CancellationToken ct)
    {
        foreach (var partition in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in partition.Chunk(MaxBatch))
            {
                await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), ct);
            }
        }
    }

    /// <summary>The row, or null when it does not exist.</summary>
    public static async Task<TableEntity?> FindAsync(TableClient table, string partitionKey, string rowKey, CancellationToken ct)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>Every row the filter selects, page by page as the service returns them.</summary>
    public static AsyncPageable<TableEntity> Query(TableClient table, string filter, int? pageSize, CancellationToken ct) =>
        table.QueryAsync<TableEntity>(filter, pageSize is { } size ? Math.Clamp(size, 1, 1000) : null, cancellationToken: ct);

    /// <summary>The row without its null properties: a table row simply lacks a property that has no value.</summary>
    public static TableEntity WithoutNulls(TableEntity row)
    {
        foreach (var key in row.Keys.Where(k => row[k] is null).ToList())
        {
            row.Remove(key);
        }

        return row;
    }

    public static bool IsConflict(RequestFailedException ex) => ex.Status == 409;

    public static bool IsStale(RequestFailedException ex) => ex.Status == 412;
}
