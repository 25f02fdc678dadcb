using Dapper;

namespace Warden.Runtime.Storage.Sqlite;

/// <summary>
/// Aggregates over llm_usage. Costs are stored as decimal text (exact), so sums happen in <see cref="UsageAggregation"/>
/// rather than in SQLite's floating point.
/// </summary>
public sealed class SqliteUsageStore(SqliteDatabase db) : IUsageStore
{
    public async Task<IReadOnlyList<UsageRow>> GroupAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, UsageGrouping by, CancellationToken ct = default) =>
        UsageAggregation.Group(await CallsAsync(tenantId, since, until), by);

    public async Task<UsageSummary> SummaryAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default) =>
        UsageAggregation.Summary(await CallsAsync(tenantId, since, until));

    public async Task<IReadOnlyList<UsageBucket>> TimeseriesAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, TimeSpan interval, CancellationToken ct = default) =>
        UsageAggregation.Timeseries(await CallsAsync(tenantId, since, until), interval);

    public async Task<GovernanceSummary> GovernanceAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        var range = new { tenantId, from = since.ToUniversalTime().ToString("O"), to = until.ToUniversalTime().ToString("O"), kinds = UsageAggregation.GovernanceKinds };
        var approvals = await connection.QueryAsync<string>(
            "SELECT status FROM approvals WHERE tenant_id = @tenantId AND requested_at >= @from AND requested_at < @to",
            range);
        var events = await connection.QueryAsync<(string Day, string Kind)>(
            "SELECT substr(at, 1, 10) AS Day, type AS Kind FROM run_events WHERE tenant_id = @tenantId AND at >= @from AND at < @to AND type IN @kinds",
            range);
        return UsageAggregation.Governance(approvals, events);
    }

    public async Task<IReadOnlyList<GuardrailRow>> GuardrailsAsync(string tenantId, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<GuardrailRow>(
            "SELECT key, kind, state, updated_at FROM guardrail_state WHERE tenant_id IS NULL OR tenant_id = @tenantId ORDER BY kind, key",
            new { tenantId })).AsList();
    }

    private async Task<List<UsageCall>> CallsAsync(string tenantId, DateTimeOffset since, DateTimeOffset until)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<UsageCall>(
            """
            SELECT node_id, graph_id, provider, model, region, input_tokens, output_tokens, cost_usd, latency_ms, outcome, at
            FROM llm_usage WHERE tenant_id = @tenantId AND at >= @from AND at < @to
            """,
            new { tenantId, from = since.ToUniversalTime().ToString("O"), to = until.ToUniversalTime().ToString("O") })).AsList();
    }
}
