using System.Globalization;
using Dapper;

namespace Warden.Runtime.Storage.Sqlite;

/// <summary>
/// Aggregates over llm_usage. Costs are stored as decimal text (exact), so sums happen here rather than in
/// SQLite's floating point.
/// </summary>
public sealed class SqliteUsageStore(SqliteDatabase db) : IUsageStore
{
    public async Task<IReadOnlyList<UsageRow>> GroupAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, UsageGrouping by, CancellationToken ct = default)
    {
        var calls = await CallsAsync(tenantId, since, until);
        Func<Call, string> key = by switch
        {
            UsageGrouping.Agent => c => c.NodeId,
            UsageGrouping.Graph => c => c.GraphId,
            UsageGrouping.Model => c => c.Model,
            UsageGrouping.Provider => c => c.Region is null ? c.Provider : $"{c.Provider}@{c.Region}",
            _ => c => c.At[..10],
        };
        return calls.GroupBy(key).Select(g => Row(g.Key, g.ToList())).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
    }

    public async Task<UsageSummary> SummaryAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default)
    {
        var calls = await CallsAsync(tenantId, since, until);
        var total = Row("total", calls);
        var latencies = calls.Select(c => c.LatencyMs).Order().ToList();
        return new UsageSummary(
            total.Calls,
            total.Errors,
            total.InputTokens,
            total.OutputTokens,
            total.CostUsd,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.95),
            calls.GroupBy(c => c.Provider).Select(g => Row(g.Key, g.ToList())).OrderBy(r => r.Key, StringComparer.Ordinal).ToList());
    }

    public async Task<IReadOnlyList<UsageBucket>> TimeseriesAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, TimeSpan interval, CancellationToken ct = default)
    {
        var calls = await CallsAsync(tenantId, since, until);
        return calls
            .GroupBy(c =>
            {
                var at = DateTimeOffset.Parse(c.At, CultureInfo.InvariantCulture).UtcTicks;
                return new DateTimeOffset(at - (at % interval.Ticks), TimeSpan.Zero);
            })
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var row = Row(string.Empty, g.ToList());
                return new UsageBucket(g.Key.ToString("O", CultureInfo.InvariantCulture), row.Calls, row.Errors, row.InputTokens + row.OutputTokens, row.CostUsd, row.AvgLatencyMs);
            })
            .ToList();
    }

    public async Task<GovernanceSummary> GovernanceAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        var range = new { tenantId, from = since.ToUniversalTime().ToString("O"), to = until.ToUniversalTime().ToString("O") };
        var approvals = (await connection.QueryAsync<(string Status, long Count)>(
            "SELECT status, COUNT(*) FROM approvals WHERE tenant_id = @tenantId AND requested_at >= @from AND requested_at < @to GROUP BY status",
            range)).ToDictionary(r => r.Status, r => r.Count, StringComparer.Ordinal);

        // Timeline kinds that are governance decisions; task escalations come from oversight tasks' own timelines.
        var perDay = (await connection.QueryAsync<GovernanceCount>(
            """
            SELECT substr(at, 1, 10) AS Day, type AS Kind, COUNT(*) AS Count FROM run_events
            WHERE tenant_id = @tenantId AND at >= @from AND at < @to
              AND type IN ('governance.blocked', 'governance.redacted', 'policy.denied', 'budget.exceeded', 'approval.escalated',
                           'approval.approved', 'approval.rejected', 'approval.expired', 'task.escalated', 'task.override')
            GROUP BY Day, Kind ORDER BY Day, Kind
            """,
            range)).AsList();
        var byKind = perDay.GroupBy(r => r.Kind).ToDictionary(g => g.Key, g => g.Sum(r => r.Count), StringComparer.Ordinal);
        return new GovernanceSummary(approvals, byKind, perDay);
    }

    public async Task<IReadOnlyList<GuardrailRow>> GuardrailsAsync(string tenantId, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<GuardrailRow>(
            "SELECT key, kind, state, updated_at FROM guardrail_state WHERE tenant_id IS NULL OR tenant_id = @tenantId ORDER BY kind, key",
            new { tenantId })).AsList();
    }

    private async Task<List<Call>> CallsAsync(string tenantId, DateTimeOffset since, DateTimeOffset until)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<Call>(
            """
            SELECT node_id, graph_id, provider, model, region, input_tokens, output_tokens, cost_usd, latency_ms, outcome, at
            FROM llm_usage WHERE tenant_id = @tenantId AND at >= @from AND at < @to
            """,
            new { tenantId, from = since.ToUniversalTime().ToString("O"), to = until.ToUniversalTime().ToString("O") })).AsList();
    }

    private static UsageRow Row(string key, IReadOnlyCollection<Call> calls) => new(
        key,
        calls.Count,
        calls.Count(c => c.Outcome != "success"),
        calls.Sum(c => c.InputTokens),
        calls.Sum(c => c.OutputTokens),
        calls.Sum(c => decimal.Parse(c.CostUsd, CultureInfo.InvariantCulture)),
        calls.Count == 0 ? 0 : Math.Round(calls.Average(c => (double)c.LatencyMs), 1));

    private static long Percentile(List<long> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private sealed class Call
    {
        public required string NodeId { get; init; }

        public required string GraphId { get; init; }

        public required string Provider { get; init; }

        public required string Model { get; init; }

        public string? Region { get; init; }

        public long InputTokens { get; init; }

        public long OutputTokens { get; init; }

        public required string CostUsd { get; init; }

        public long LatencyMs { get; init; }

        public required string Outcome { get; init; }

        public required string At { get; init; }
    }
}
