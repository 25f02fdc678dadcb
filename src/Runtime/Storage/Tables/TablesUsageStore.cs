using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// <see cref="IUsageStore"/> on Azure Table Storage. Usage rows sit in one partition per tenant and UTC day
/// (<see cref="UsageRows"/>), so a time range is one PartitionKey range scan; the governance summary reads the
/// tenant's approvals (<see cref="ApprovalRows"/>) and its merged timeline (<see cref="TimelineRows"/>, RowKey = at|...) for
/// the range. Group, summary, timeseries and governance read the range's rows and aggregate them in memory with
/// <see cref="UsageAggregation"/>, the same code the SQLite store uses, so both backends answer alike; fine for the
/// ranges the API serves, not a warehouse.
/// </summary>
public sealed class TablesUsageStore(TableStorage storage) : IUsageStore
{
    public async Task<IReadOnlyList<UsageRow>> GroupAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, UsageGrouping by, CancellationToken ct = default) =>
        UsageAggregation.Group(await CallsAsync(tenantId, since, until, ct), by);

    public async Task<UsageSummary> SummaryAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default) =>
        UsageAggregation.Summary(await CallsAsync(tenantId, since, until, ct));

    public async Task<IReadOnlyList<UsageBucket>> TimeseriesAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, TimeSpan interval, CancellationToken ct = default) =>
        UsageAggregation.Timeseries(await CallsAsync(tenantId, since, until, ct), interval);

    public async Task<GovernanceSummary> GovernanceAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default)
    {
        var partition = TableKeys.Escape(tenantId);
        var from = since.ToUniversalTime().ToString("O");
        var to = until.ToUniversalTime().ToString("O");
        var approvals = await storage.TableAsync(RunTables.Approvals, ct);
        var statuses = new List<string>();
        await foreach (var row in RunTables.Query(approvals, TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RequestedAt ge {from} and RequestedAt lt {to}"), null, ct))
        {
            statuses.Add(row.GetString("Status"));
        }

        var timeline = await storage.TableAsync(RunTables.TenantEvents, ct);
        var kinds = string.Join(" or ", UsageAggregation.GovernanceKinds.Select(k => TableClient.CreateQueryFilter($"Type eq {k}")));
        var events = new List<(string Day, string Kind)>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {to}") + $" and ({kinds})";
        await foreach (var row in RunTables.Query(timeline, filter, null, ct))
        {
            events.Add((row.GetString("At")[..10], row.GetString("Type")));
        }

        return UsageAggregation.Governance(statuses, events);
    }

    /// <summary>
    /// Empty: this store holds no guardrail state. On the Functions host breakers, rate windows and budgets live in
    /// Durable entities, and the host's EntityGuardrailView answers this from them.
    /// </summary>
    public Task<IReadOnlyList<GuardrailRow>> GuardrailsAsync(string tenantId, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<GuardrailRow>>([]);

    private async Task<List<UsageCall>> CallsAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct)
    {
        var calls = new List<UsageCall>();
        if (until <= since)
        {
            return calls;
        }

        var usage = await storage.TableAsync(RunTables.Usage, ct);
        var first = UsageRows.DayPartition(tenantId, since);
        var last = UsageRows.DayPartition(tenantId, until);
        var from = since.ToUniversalTime().ToString("O");
        var to = until.ToUniversalTime().ToString("O");

        // The day partitions of the range, and the exact bounds within its first and last day. The tenant's attempt
        // claims (tenant|attempts) sort after every day, so the range never reads them.
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey le {last} and At ge {from} and At lt {to}");
        await foreach (var row in RunTables.Query(usage, filter, null, ct))
        {
            calls.Add(UsageRows.Call(row));
        }

        return calls;
    }
}
