using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// One timeline entry, written twice: under the run (<see cref="RunTables.RunEvents"/>: PartitionKey = tenant|run,
/// RowKey = seq) for <c>GET /runs/{id}/events?after=&amp;limit=</c> and the run's stream, and under the tenant
/// (<see cref="RunTables.TenantEvents"/>: PartitionKey = tenant, RowKey = at|run|seq) for <c>GET /stream</c>, whose
/// Last-Event-ID (<see cref="TimelinePosition"/>) is that RowKey. Both are keyed by what the decision fixed (its
/// entries' seq and time), so a replayed decision rewrites the same rows.
/// </summary>
internal static class TimelineRows
{
    public static string RunPartition(string tenantId, string runId) => TableKeys.Escape(tenantId) + TableKeys.Separator + TableKeys.Escape(runId);

    /// <summary>The tenant-timeline RowKey of a position; positions sort as the SQLite store orders (at, run, seq).</summary>
    public static string TenantKey(string at, string runId, long seq) =>
        at + TableKeys.Separator + TableKeys.Escape(runId) + TableKeys.Separator + TableKeys.Number(seq);

    public static TableEntity RunRow(string tenantId, RunEventRecord e) =>
        Row(new TableEntity(RunPartition(tenantId, e.RunId), TableKeys.Number(e.Seq)), e);

    public static TableEntity TenantRow(string tenantId, RunEventRecord e) =>
        Row(new TableEntity(TableKeys.Escape(tenantId), TenantKey(e.At, e.RunId, e.Seq)), e);

    public static RunEventRecord Record(TableEntity row) => new()
    {
        RunId = row.GetString("RunId"),
        Seq = row.GetInt64("Seq") ?? 0,
        At = row.GetString("At"),
        Type = row.GetString("Type"),
        NodeId = row.GetString("NodeId"),
        Attempt = row.GetInt64("Attempt"),
        Data = LargeText.Read(row, "Data"),
    };

    private static TableEntity Row(TableEntity row, RunEventRecord e)
    {
        row["RunId"] = e.RunId;
        row["Seq"] = e.Seq;
        row["At"] = e.At;
        row["Type"] = e.Type;
        row["NodeId"] = e.NodeId;
        row["Attempt"] = e.Attempt;
        LargeText.Write(row, "Data", e.Data);
        return RunTables.WithoutNulls(row);
    }
}
