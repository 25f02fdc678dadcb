using System.Globalization;

namespace Warden.Runtime.Storage;

/// <summary>
/// The usage read model's arithmetic, shared by every backend so they answer alike: group, summarise and bucket the
/// calls a store read for a time range. Costs are decimal text (exact), so sums happen here, not in a database's floats.
/// </summary>
internal static class UsageAggregation
{
    /// <summary>Timeline kinds that are governance decisions (task escalations come from oversight tasks' own timelines).</summary>
    public static readonly string[] GovernanceKinds =
    [
        "governance.blocked", "governance.redacted", "policy.denied", "budget.exceeded", "approval.escalated",
        "approval.approved", "approval.rejected", "approval.expired", "task.escalated", "task.override",
    ];

    public static IReadOnlyList<UsageRow> Group(IReadOnlyCollection<UsageCall> calls, UsageGrouping by)
    {
        Func<UsageCall, string> key = by switch
        {
            UsageGrouping.Agent => c => c.NodeId,
            UsageGrouping.Graph => c => c.GraphId,
            UsageGrouping.Model => c => c.Model,
            UsageGrouping.Provider => c => c.Region is null ? c.Provider : $"{c.Provider}@{c.Region}",
            _ => c => c.At[..10],
        };
        return calls.GroupBy(key).Select(g => Row(g.Key, g.ToList())).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
    }

    public static UsageSummary Summary(IReadOnlyCollection<UsageCall> calls)
    {
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

    public static IReadOnlyList<UsageBucket> Timeseries(IReadOnlyCollection<UsageCall> calls, TimeSpan interval) => calls
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

    /// <summary>Governance counts per day and kind, from (day, kind) pairs of the tenant's timeline and its approvals' statuses.</summary>
    public static GovernanceSummary Governance(IEnumerable<string> approvalStatuses, IEnumerable<(string Day, string Kind)> events)
    {
        var approvals = approvalStatuses.GroupBy(s => s, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        var perDay = events
            .GroupBy(e => e)
            .Select(g => new GovernanceCount(g.Key.Day, g.Key.Kind, g.Count()))
            .OrderBy(c => c.Day, StringComparer.Ordinal)
            .ThenBy(c => c.Kind, StringComparer.Ordinal)
            .ToList();
        var byKind = perDay.GroupBy(r => r.Kind).ToDictionary(g => g.Key, g => g.Sum(r => r.Count), StringComparer.Ordinal);
        return new GovernanceSummary(approvals, byKind, perDay);
    }

    private static UsageRow Row(string key, IReadOnlyCollection<UsageCall> calls) => new(
        key,
        calls.Count,
        calls.Count(c => c.Outcome != "success"),
        calls.Sum(c => c.InputTokens),
        calls.Sum(c => c.OutputTokens),
        calls.Sum(c => decimal.Parse(c.CostUsd, CultureInfo.InvariantCulture)),
        calls.Count == 0 ? 0 : Math.Round(calls.Average(c => (double)c.LatencyMs), 1));

    private static long Percentile(List<long> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

/// <summary>One provider call as the usage queries read it.</summary>
internal sealed class UsageCall
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
