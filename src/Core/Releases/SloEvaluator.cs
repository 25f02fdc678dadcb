namespace Warden.Core.Releases;

/// <summary>One finished run of the snapshot under guard.</summary>
public sealed record RunSample(bool Succeeded, TimeSpan Duration, decimal CostUsd);

/// <summary>The latest result of a suite against the snapshot's graph version.</summary>
public sealed record SuiteSample(string Suite, int CasesPassed, int CasesFailed, string SuiteRunId);

/// <summary>Everything the guard measured over the window.</summary>
public sealed record SloMeasurements(IReadOnlyList<RunSample> Runs, IReadOnlyList<SuiteSample> Suites, IReadOnlyList<double> ShadowScores)
{
    public static SloMeasurements Empty { get; } = new([], [], []);
}

public enum SloStatus
{
    Passed,
    Breached,

    /// <summary>Too few samples to judge: reported, never a breach.</summary>
    NoData,
}

/// <summary>
/// One objective's verdict. <see cref="ErrorBudget"/> is the share of bad events the objective allows (1 - target for
/// the rates, 5% of runs over the limit for p95 latency, and for cost the objective itself: each run may spend it).
/// <see cref="BurnRate"/> is the bad share over the allowed share (spend over allowed spend for cost): 1.0 spends the
/// budget exactly over the window, above 1 breaches. Budget consumed equals the burn rate over the guard's window;
/// <see cref="BudgetLeft"/> is what remains of it, never below 0. Null burn rate with a breach: the objective allows no
/// bad event at all and some happened.
/// </summary>
public sealed record SloResult(
    SloObjective Objective,
    SloStatus Status,
    double? Measured,
    int Samples,
    int BadSamples,
    double ErrorBudget,
    double? BudgetConsumed,
    double? BudgetLeft,
    double? BurnRate,
    string Detail)
{
    public bool Breached => Status == SloStatus.Breached;
}

/// <summary>The guard's verdict on one snapshot: it fails when any objective breached.</summary>
public sealed record GuardVerdict(bool Passed, IReadOnlyList<SloResult> Results)
{
    public IEnumerable<SloResult> Breaches => Results.Where(r => r.Breached);
}

/// <summary>The arithmetic of every objective, as a function of what was measured.</summary>
public static class SloEvaluator
{
    /// <summary>p95 latency allows one run in twenty over the limit.</summary>
    public const double LatencyAllowedShare = 0.05;

    public static GuardVerdict Evaluate(SloSettings settings, SloMeasurements measured)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(measured);
        var results = settings.Objectives.Select(o => Evaluate(o, settings.MinSamples, measured)).ToList();
        return new GuardVerdict(!results.Any(r => r.Breached), results);
    }

    public static SloResult Evaluate(SloObjective objective, int minSamples, SloMeasurements measured)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(measured);
        var runs = measured.Runs;
        switch (objective.Kind)
        {
            case SloKind.SuccessRate:
                if (runs.Count < minSamples)
                {
                    return NoData(objective, runs.Count, 1 - objective.Target, $"{runs.Count} finished run(s) in the window; {minSamples} needed");
                }

                var failed = runs.Count(r => !r.Succeeded);
                return Ratio(objective, runs.Count, failed, runs.Count - failed, $"{runs.Count - failed} of {runs.Count} runs completed");

            case SloKind.SuitePassRate:
                var suite = measured.Suites.FirstOrDefault(s => s.Suite == objective.Suite);
                var cases = suite is null ? 0 : suite.CasesPassed + suite.CasesFailed;
                if (suite is null || cases == 0)
                {
                    return NoData(objective, 0, 1 - objective.Target, $"no finished run of suite '{objective.Suite}' against this version");
                }

                return Ratio(objective, cases, suite.CasesFailed, suite.CasesPassed, $"{suite.CasesPassed} of {cases} cases passed in suite run {suite.SuiteRunId}");

            case SloKind.ShadowDivergence:
                var scores = measured.ShadowScores;
                if (scores.Count < minSamples)
                {
                    return NoData(objective, scores.Count, 1 - objective.Target, $"{scores.Count} scored shadow pair(s) in the window; {minSamples} needed");
                }

                // Each pair's divergence (1 - score) is a partial bad event: a success rate whose events score in [0,1].
                return Ratio(objective, scores.Count, scores.Count(s => s < objective.Target), scores.Sum(), $"mean agreement of {scores.Count} shadow pair(s)");

            case SloKind.P95Latency:
                return Latency(objective, minSamples, runs);

            case SloKind.CostPerRun:
                return Cost(objective, minSamples, runs);

            default:
                throw new ArgumentOutOfRangeException(nameof(objective), objective.Kind, "unknown objective");
        }
    }

    /// <summary>
    /// Nearest-rank p95: the smallest duration at least 95% of runs do not exceed. It meets the limit exactly when at
    /// most 5% of runs exceed the limit, so the budget counts runs over the limit.
    /// </summary>
    public static TimeSpan P95(IReadOnlyList<TimeSpan> durations)
    {
        ArgumentNullException.ThrowIfNull(durations);
        if (durations.Count == 0)
        {
            throw new ArgumentException("no durations", nameof(durations));
        }

        var sorted = durations.Order().ToList();
        var rank = ((95 * sorted.Count) + 99) / 100;
        return sorted[rank - 1];
    }

    /// <param name="good">The good events' weight (a count, or the sum of scores).</param>
    private static SloResult Ratio(SloObjective objective, int samples, int bad, double good, string detail)
    {
        var measured = good / samples;
        var allowed = 1 - objective.Target;
        var badShare = 1 - measured;
        var burn = Burn(badShare, allowed);
        var passed = measured >= objective.Target - 1e-12;
        return Result(objective, passed, measured, samples, bad, allowed, burn, detail);
    }

    private static SloResult Latency(SloObjective objective, int minSamples, IReadOnlyList<RunSample> runs)
    {
        if (runs.Count < minSamples)
        {
            return NoData(objective, runs.Count, LatencyAllowedShare, $"{runs.Count} finished run(s) in the window; {minSamples} needed");
        }

        var limit = TimeSpan.FromSeconds(objective.Target);
        var p95 = P95([.. runs.Select(r => r.Duration)]);
        var over = runs.Count(r => r.Duration > limit);
        var burn = Burn((double)over / runs.Count, LatencyAllowedShare);
        return Result(objective, p95 <= limit, p95.TotalSeconds, runs.Count, over, LatencyAllowedShare, burn, $"{over} of {runs.Count} runs took longer than {objective.Target}s");
    }

    private static SloResult Cost(SloObjective objective, int minSamples, IReadOnlyList<RunSample> runs)
    {
        if (runs.Count < minSamples)
        {
            return NoData(objective, runs.Count, objective.Target, $"{runs.Count} finished run(s) in the window; {minSamples} needed");
        }

        var total = runs.Sum(r => r.CostUsd);
        var mean = (double)(total / runs.Count);
        var over = runs.Count(r => (double)r.CostUsd > objective.Target);
        var burn = Burn(mean, objective.Target);
        return Result(objective, mean <= objective.Target + 1e-12, mean, runs.Count, over, objective.Target, burn, $"${total} over {runs.Count} runs; {over} cost more than ${objective.Target}");
    }

    /// <summary>Null: nothing bad is allowed and something bad happened, an unbounded burn.</summary>
    private static double? Burn(double badShare, double allowedShare) =>
        allowedShare <= 0 ? (badShare <= 1e-12 ? 0 : null) : Math.Max(0, badShare) / allowedShare;

    private static SloResult Result(SloObjective objective, bool passed, double measured, int samples, int bad, double allowed, double? burn, string detail) =>
        new(
            objective,
            passed ? SloStatus.Passed : SloStatus.Breached,
            measured,
            samples,
            bad,
            allowed,
            burn,
            burn is { } b ? Math.Max(0, 1 - b) : 0,
            burn,
            detail);

    private static SloResult NoData(SloObjective objective, int samples, double allowed, string detail) =>
        new(objective, SloStatus.NoData, null, samples, 0, allowed, null, null, null, detail);
}
