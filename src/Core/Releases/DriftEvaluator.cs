using Warden.Core.Testing;

namespace Warden.Core.Releases;

/// <summary>One ended run as the drift check sees it.</summary>
public sealed record DriftSample(bool Succeeded, TimeSpan Duration, decimal CostUsd, string Output);

/// <summary>One measure compared between the baseline window and the recent one, with the statistic used.</summary>
public sealed record DriftMetric(string Name, double Baseline, double Recent, double Change, bool Drifted, string Statistic);

/// <summary>A graph's recent window against its baseline; <see cref="NoData"/> says why nothing was compared.</summary>
public sealed record DriftReport(int BaselineRuns, int RecentRuns, IReadOnlyList<DriftMetric> Metrics, string? NoData)
{
    public bool Drifted => Metrics.Any(m => m.Drifted);
}

/// <summary>
/// Drift of a graph's behaviour, a pure function of two windows of ended runs: cost and latency per run and output
/// length as ratios of the recent window to the baseline (drifted at 2x either way), the error rate as a difference
/// (drifted at +0.2), and how alike the recent outputs are to the baseline's (each recent output's best token-Jaccard
/// match among the baseline's, averaged; drifted below 0.5).
/// </summary>
public static class DriftEvaluator
{
    public const int MinRuns = 5;
    public const double RatioLimit = 2.0;
    public const double ErrorRateLimit = 0.2;
    public const double SimilarityLimit = 0.5;

    /// <summary>How many baseline outputs each recent output is matched against (the newest ones).</summary>
    public const int BaselineOutputs = 50;

    public static DriftReport Compare(IReadOnlyList<DriftSample> baseline, IReadOnlyList<DriftSample> recent)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(recent);
        if (baseline.Count < MinRuns || recent.Count < MinRuns)
        {
            return new DriftReport(baseline.Count, recent.Count, [], $"needs at least {MinRuns} ended runs in each window (baseline {baseline.Count}, recent {recent.Count})");
        }

        var metrics = new List<DriftMetric>
        {
            Ratio("cost_per_run", (double)baseline.Average(s => s.CostUsd), (double)recent.Average(s => s.CostUsd), "ratio of mean cost per run"),
            Ratio("latency_p50_ms", Median(baseline.Select(s => s.Duration.TotalMilliseconds)), Median(recent.Select(s => s.Duration.TotalMilliseconds)), "ratio of median run duration"),
            Ratio("output_length", baseline.Average(s => s.Output.Length), recent.Average(s => s.Output.Length), "ratio of mean output length in characters"),
        };
        var baselineErrors = baseline.Count(s => !s.Succeeded) / (double)baseline.Count;
        var recentErrors = recent.Count(s => !s.Succeeded) / (double)recent.Count;
        metrics.Add(new DriftMetric("error_rate", Round(baselineErrors), Round(recentErrors), Round(recentErrors - baselineErrors), recentErrors - baselineErrors >= ErrorRateLimit, "difference of failed-run shares"));
        var references = baseline.Where(s => s.Succeeded).TakeLast(BaselineOutputs).Select(s => s.Output).ToList();
        var answered = recent.Where(s => s.Succeeded).ToList();
        if (references.Count > 0 && answered.Count > 0)
        {
            var similarity = answered.Average(s => references.Max(r => TokenSimilarity.Score(r, s.Output)));
            metrics.Add(new DriftMetric("output_similarity", 1, Round(similarity), Round(similarity - 1), similarity < SimilarityLimit, "mean best-match token Jaccard similarity to the baseline's outputs"));
        }

        return new DriftReport(baseline.Count, recent.Count, metrics, null);
    }

    private static DriftMetric Ratio(string name, double baseline, double recent, string statistic)
    {
        var ratio = baseline > 0 ? recent / baseline : recent > 0 ? double.PositiveInfinity : 1;
        return new DriftMetric(name, Round(baseline), Round(recent), Round(ratio), ratio >= RatioLimit || ratio <= 1 / RatioLimit, statistic);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static double Round(double value) => double.IsInfinity(value) ? value : Math.Round(value, 4);
}
