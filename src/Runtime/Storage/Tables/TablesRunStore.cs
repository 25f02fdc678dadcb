using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// <see cref="IRunStore"/> on Azure Table Storage, reading what <see cref="TablesRunProjection"/> writes. Every query
/// is within the caller's tenant's partitions, so another tenant's run reads as missing.
/// <list type="bullet">
/// <item><c>GET /runs/{id}</c>: the id pointer, then the run row (two point reads).</item>
/// <item><c>GET /runs</c>: one RowKey range over <c>run|{newest}</c> in the tenant's partition, newest first; the cursor
/// is a RowKey lower bound; graph_id, status and from/to are server-side filters. With <c>agent=</c> the range is that
/// node's index rows, each run row read by its key and filtered here.</item>
/// <item><c>GET /runs/{id}/events</c> and its stream: the run's timeline partition from RowKey seq+1.</item>
/// <item><c>GET /stream</c>: the tenant's merged timeline from RowKey at|run|seq (the Last-Event-ID).</item>
/// <item>approvals: the tenant's approvals partition, filtered by run and status, in request order.</item>
/// </list>
/// </summary>
public sealed class TablesRunStore(TableStorage storage) : IRunStore
{
    public async Task<RunRecord?> GetAsync(string tenantId, string runId, CancellationToken ct = default)
    {
        var runs = await storage.TableAsync(RunTables.Runs, ct);
        var partition = TableKeys.Escape(tenantId);
        return await RunTables.FindAsync(runs, partition, RunRows.PointerKey(runId), ct) is { } pointer
            && await RunTables.FindAsync(runs, partition, RunRows.RunPrefix + pointer.GetString("Newest"), ct) is { } row
            ? RunRows.Record(row)
            : null;
    }

    public async Task<Page<RunRecord>> ListAsync(string tenantId, RunQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = RunCursor.TryDecode(query.Cursor, out var createdAt, out var id) ? TableKeys.Newest(createdAt, id) : string.Empty;
        var runs = await storage.TableAsync(RunTables.Runs, ct);
        var rows = new List<RunRecord>();
        var source = query.Node is null ? ScanAsync(runs, tenantId, query, after, ct) : ScanNodeAsync(runs, tenantId, query, after, ct);
        await foreach (var run in source)
        {
            rows.Add(run);
            if (rows.Count > query.Limit)
            {
                break;
            }
        }

        return RunCursor.Page(rows, query.Limit);
    }

    public async Task<IReadOnlyList<RunEventRecord>> ListEventsAsync(string tenantId, string runId, long afterSeq, int limit, CancellationToken ct = default)
    {
        var events = await storage.TableAsync(RunTables.RunEvents, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TimelineRows.RunPartition(tenantId, runId)} and RowKey gt {TableKeys.Number(Math.Max(afterSeq, 0))}");
        return await TakeAsync(RunTables.Query(events, filter, limit, ct), limit, TimelineRows.Record);
    }

    public async Task<IReadOnlyList<RunEventRecord>> ListTenantEventsAsync(string tenantId, TimelinePosition after, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(after);

        // From the start: every row. From a time alone (a stream that began "now"): every row at that time or later,
        // as the SQLite store's (at, run, seq) comparison has it. Otherwise strictly after the position's own row.
        var from = after.At.Length == 0 ? string.Empty
            : after.RunId.Length == 0 ? after.At + TableKeys.Separator
            : TimelineRows.TenantKey(after.At, after.RunId, after.Seq);
        var events = await storage.TableAsync(RunTables.TenantEvents, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(tenantId)} and RowKey gt {from}");
        return await TakeAsync(RunTables.Query(events, filter, limit, ct), limit, TimelineRows.Record);
    }

    public async Task<IReadOnlyList<ApprovalRecord>> ListApprovalsAsync(string tenantId, string? runId, string? status, CancellationToken ct = default)
    {
        var approvals = await storage.TableAsync(RunTables.Approvals, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(tenantId)}");
        if (runId is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RunId eq {runId}");
        }

        if (status is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {status}");
        }

        var rows = new List<ApprovalRecord>();
        await foreach (var row in RunTables.Query(approvals, filter, null, ct))
        {
            rows.Add(ApprovalRows.Record(row));
        }

        return rows.OrderBy(a => a.RequestedAt, StringComparer.Ordinal).ThenBy(a => a.Id, StringComparer.Ordinal).ToList();
    }

    public async Task<ApprovalRecord?> GetApprovalAsync(string tenantId, string approvalId, CancellationToken ct = default)
    {
        var approvals = await storage.TableAsync(RunTables.Approvals, ct);
        return await RunTables.FindAsync(approvals, TableKeys.Escape(tenantId), TableKeys.Escape(approvalId), ct) is { } row ? ApprovalRows.Record(row) : null;
    }

    private static async IAsyncEnumerable<RunRecord> ScanAsync(TableClient runs, string tenantId, RunQuery query, string after, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {TableKeys.Escape(tenantId)} and RowKey gt {RunRows.RunPrefix + after} and RowKey lt {TableKeys.PrefixEnd(RunRows.RunPrefix)}");
        if (query.GraphId is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"GraphId eq {query.GraphId}");
        }

        if (query.Status is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {query.Status}");
        }

        if (query.Since is { } since)
        {
            filter += " and " + TableClient.CreateQueryFilter($"CreatedAt ge {since.ToUniversalTime().ToString("O")}");
        }

        if (query.Until is { } until)
        {
            filter += " and " + TableClient.CreateQueryFilter($"CreatedAt lt {until.ToUniversalTime().ToString("O")}");
        }

        await foreach (var row in RunTables.Query(runs, filter, query.Limit + 1, ct))
        {
            yield return RunRows.Record(row);
        }
    }

    /// <summary>Runs in which the node started: its index rows in the same newest-first order, each run read and filtered here.</summary>
    private static async IAsyncEnumerable<RunRecord> ScanNodeAsync(TableClient runs, string tenantId, RunQuery query, string after, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var partition = TableKeys.Escape(tenantId);
        var prefix = RunRows.NodePrefix(query.Node!);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {prefix + after} and RowKey lt {TableKeys.PrefixEnd(prefix)}");
        var since = query.Since?.ToUniversalTime().ToString("O");
        var until = query.Until?.ToUniversalTime().ToString("O");
        await foreach (var page in RunTables.Query(runs, filter, query.Limit + 1, ct).AsPages())
        {
            // The page's runs read together rather than one round trip after another.
            var found = await Task.WhenAll(page.Values.Select(index => RunTables.FindAsync(runs, partition, RunRows.RunPrefix + index.RowKey[prefix.Length..], ct)));
            foreach (var run in found.OfType<TableEntity>().Select(RunRows.Record))
            {
                if ((query.GraphId is null || run.GraphId == query.GraphId)
                    && (query.Status is null || run.Status == query.Status)
                    && (since is null || string.CompareOrdinal(run.CreatedAt, since) >= 0)
                    && (until is null || string.CompareOrdinal(run.CreatedAt, until) < 0))
                {
                    yield return run;
                }
            }
        }
    }

    private static async Task<IReadOnlyList<T>> TakeAsync<T>(Azure.AsyncPageable<TableEntity> rows, int limit, Func<TableEntity, T> map)
    {
        var items = new List<T>(Math.Min(limit, 1000));
        if (limit <= 0)
        {
            return items;
        }

        await foreach (var row in rows)
        {
            items.Add(map(row));
            if (items.Count == limit)
            {
                break;
            }
        }

        return items;
    }
}
