using Warden.Core.Graphs;
using Warden.Core.Releases;

namespace Warden.Runtime.Releases;

/// <summary>The release guard's answer on one snapshot, as POST /api/v1/releases/guard returns it and the store keeps it.</summary>
public sealed record GuardReport(
    string GraphId,
    string SnapshotId,
    long GraphVersion,
    string Environment,
    SloSettings? Slos,
    DateTimeOffset Since,
    DateTimeOffset Until,
    GuardVerdict Verdict)
{
    public bool Passed => Verdict.Passed;

    /// <summary>One line per breached objective: what was measured against what was asked.</summary>
    public string Summary => Passed
        ? "every objective holds"
        : string.Join("; ", Verdict.Breaches.Select(b => $"{b.Objective.Name} {Format(b.Objective.Kind, b.Measured)} vs objective {Format(b.Objective.Kind, b.Objective.Target)}"));

    public object ToWire() => new
    {
        graph_id = GraphId,
        snapshot_id = SnapshotId,
        graph_version = GraphVersion,
        environment = Environment,
        passed = Passed,
        summary = Slos is null ? "the graph version declares no slos" : Summary,
        window = Slos is null ? null : Durations.Format(Slos.Window),
        since = Since,
        until = Until,
        auto_rollback = Slos?.AutoRollback ?? false,
        objectives = Verdict.Results.Select(r => new
        {
            objective = r.Objective.Name,
            suite = r.Objective.Suite,
            target = r.Objective.Target,
            status = r.Status switch
            {
                SloStatus.Passed => "passed",
                SloStatus.Breached => "breached",
                _ => "no_data",
            },
            passed = !r.Breached,
            measured = r.Measured,
            samples = r.Samples,
            bad_samples = r.BadSamples,
            error_budget = r.ErrorBudget,
            budget_consumed = r.BudgetConsumed,
            budget_left = r.BudgetLeft,
            burn_rate = r.BurnRate,
            detail = r.Detail,
        }),
    };

    private static string Format(SloKind kind, double? value) => value switch
    {
        null => "n/a",
        { } v when kind == SloKind.P95Latency => Durations.Format(TimeSpan.FromSeconds(Math.Round(v, 3))),
        { } v when kind == SloKind.CostPerRun => "$" + v.ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture),
        { } v => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
    };
}
