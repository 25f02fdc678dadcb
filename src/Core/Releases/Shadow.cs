using Warden.Core.Runs;
using Warden.Core.Runs.Diff;
using Warden.Core.Testing;

namespace Warden.Core.Releases;

/// <summary>A graph's shadow setting: that share of its active runs also runs <paramref name="CandidateSnapshotId"/> on the same input.</summary>
public sealed record ShadowConfig(string CandidateSnapshotId, double Percent, double Threshold);

/// <summary>Which runs are shadowed: a function of the run id alone, so asking again (or replaying) gives the same answer.</summary>
public static class ShadowSampling
{
    public static bool Sampled(string runId, double percent) =>
        percent >= 100 || (percent > 0 && StableHash.Unit("shadow", runId) * 100 < percent);
}

/// <summary>How alike a primary run and its shadow answered, in [0,1] (1: the same), and the two halves it is made of.</summary>
public sealed record ShadowScore(double Score, double OutputSimilarity, double TrajectorySimilarity, bool Flagged);

/// <summary>
/// The divergence score of a shadow pair: the mean of the final outputs' token similarity and the trajectories'
/// similarity (the share of node visits the two paths have in the same order). A pair below the threshold is flagged.
/// A run that failed where the other completed scores its output half as 0.
/// </summary>
public static class ShadowDivergence
{
    public static ShadowScore Score(string statusA, string? outputA, IReadOnlyList<string> pathA, string statusB, string? outputB, IReadOnlyList<string> pathB, double threshold)
    {
        ArgumentNullException.ThrowIfNull(pathA);
        ArgumentNullException.ThrowIfNull(pathB);
        var output = statusA != statusB ? 0 : TokenSimilarity.Score(outputA ?? string.Empty, outputB ?? string.Empty);
        var path = PathComparison.Compare(pathA, pathB);
        var shared = pathA.Count(pathB.Contains) - path.Reordered.Count;
        var trajectory = pathA.Count + pathB.Count == 0 ? 1 : Similarity.Ratio(shared, pathA.Count, pathB.Count);
        var score = Math.Round((output + trajectory) / 2, 4);
        return new ShadowScore(score, Math.Round(output, 4), Math.Round(trajectory, 4), score < threshold);
    }
}
