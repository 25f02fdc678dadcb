namespace Warden.Core.Releases;

/// <summary>What an objective measures.</summary>
public enum SloKind
{
    /// <summary>The share of finished runs that completed (stopped runs are a person's choice and do not count).</summary>
    SuccessRate,

    /// <summary>The 95th percentile of run durations, at most the objective.</summary>
    P95Latency,

    /// <summary>The mean cost of a finished run in USD, at most the objective.</summary>
    CostPerRun,

    /// <summary>The share of the named suite's cases that passed in its latest run against the snapshot's version.</summary>
    SuitePassRate,

    /// <summary>The mean agreement score of shadow pairs (1 = answered the same way), at least the objective.</summary>
    ShadowDivergence,
}

/// <summary>One objective: for latency <see cref="Target"/> is seconds, for cost USD, otherwise a share in [0,1].</summary>
/// <param name="Suite">The suite whose results <see cref="SloKind.SuitePassRate"/> reads.</param>
public sealed record SloObjective(SloKind Kind, double Target, string? Suite = null)
{
    /// <summary>The name written in YAML and on the wire.</summary>
    public string Name => Names[Kind];

    public static readonly IReadOnlyDictionary<SloKind, string> Names = new Dictionary<SloKind, string>
    {
        [SloKind.SuccessRate] = "success_rate",
        [SloKind.P95Latency] = "p95_latency",
        [SloKind.CostPerRun] = "cost_per_run",
        [SloKind.SuitePassRate] = "suite_pass_rate",
        [SloKind.ShadowDivergence] = "shadow_divergence",
    };
}

/// <summary>
/// A graph's <c>slos:</c> section, versioned with the graph: the objectives its active release must meet over
/// <see cref="Window"/>, how many samples make a measurement (<see cref="MinSamples"/>; fewer is "no data", never a
/// breach), and whether the scheduled guard may roll a breaching release back on its own.
/// </summary>
public sealed record SloSettings(TimeSpan Window, bool AutoRollback, int MinSamples, IReadOnlyList<SloObjective> Objectives)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(1);

    public const int DefaultMinSamples = 5;
}
