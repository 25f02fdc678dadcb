using System.Globalization;

namespace Warden.Core.Testing.Assertions;

/// <summary>What a crash case saw of its usage: every step's usage summed, and the tenant's usage rows for the run.</summary>
public sealed record ResumeEvidence(int CrashAfterSteps, string Kill, long StepTokens, decimal StepCostUsd, long UsageRowTokens, decimal UsageRowCostUsd);

/// <summary>
/// The assertion a crash case (<c>chaos: {crash_after_steps: k}</c>) gets on its own row: after the engine was killed
/// and restarted, the run completed, no step completed twice (one node.completed per node visit), and usage was
/// counted once (the run's usage is its steps' usage, and the tenant's usage rows match). Proven resume.
/// </summary>
public static class ResumedCheck
{
    public const string Name = "resumed";

    public static AssertionResult Evaluate(RunObservation run, ResumeEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(evidence);
        var expected = $"killed after step {evidence.CrashAfterSteps}, then completed with every step completed once and usage counted once";
        var problems = new List<string>();
        if (!run.Timeline.Any(e => e.Type == "chaos.crash"))
        {
            problems.Add("the timeline has no chaos.crash: the engine was never killed");
        }

        if (run.Status != "completed")
        {
            problems.Add($"status {run.Status}");
        }

        var completed = run.Timeline.Where(e => e.Type == "node.completed").ToList();
        var twice = completed
            .GroupBy(e => (e.NodeId, Visit: e.Get("visit")))
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.NodeId} (visit {g.Key.Visit}) completed {g.Count()} times")
            .ToList();
        problems.AddRange(twice);
        if (!Same(run.Totals, evidence.StepTokens, evidence.StepCostUsd))
        {
            problems.Add($"run usage {Usage(run.Totals.Tokens, run.Totals.CostUsd)} ≠ its steps' {Usage(evidence.StepTokens, evidence.StepCostUsd)}");
        }

        if (!Same(run.Totals, evidence.UsageRowTokens, evidence.UsageRowCostUsd))
        {
            problems.Add($"run usage {Usage(run.Totals.Tokens, run.Totals.CostUsd)} ≠ the tenant's usage rows {Usage(evidence.UsageRowTokens, evidence.UsageRowCostUsd)}");
        }

        var actual = problems.Count == 0
            ? $"{evidence.Kill} after step {evidence.CrashAfterSteps}, restarted, resumed: {completed.Count} step(s) completed once each, usage {Usage(run.Totals.Tokens, run.Totals.CostUsd)} counted once"
            : string.Join("; ", problems);
        return new AssertionResult(Name, problems.Count == 0, expected, actual);
    }

    // Usage rows are summed by the store, which may add in floating point: a millionth of a dollar is the same spend.
    private static bool Same(RunTotals run, long tokens, decimal cost) => run.Tokens == tokens && Math.Abs(run.CostUsd - cost) < 0.000001m;

    private static string Usage(long tokens, decimal cost) => $"{tokens} tokens/${cost.ToString(CultureInfo.InvariantCulture)}";
}
