using Warden.Core.Costs;
using Warden.Core.Runs;
using Warden.Core.Runs.Diff;

namespace Warden.Runtime.Diff;

/// <summary>
/// Compares two runs from their stored traces: any two runs of a tenant, of the same graph in different versions or of
/// different graphs (nodes are matched by id).
/// </summary>
public static class RunDiffer
{
    public static RunDiffReport Compare(RunTrace a, RunTrace b)
    {
        var pathA = a.Path();
        var pathB = b.Path();
        var path = PathComparison.Compare(pathA, pathB);
        var nodes = pathA.Concat(pathB.Where(n => !pathA.Contains(n, StringComparer.Ordinal)))
            .Select(id => Node(id, pathA.Contains(id, StringComparer.Ordinal) ? a : null, pathB.Contains(id, StringComparer.Ordinal) ? b : null))
            .ToArray();
        var governance = Governance(a, b);
        var statusChanged = !string.Equals(a.Run.Status, b.Run.Status, StringComparison.Ordinal);
        var errorChanged = !string.Equals(a.Run.Error, b.Run.Error, StringComparison.Ordinal) || !string.Equals(a.Run.ErrorCode, b.Run.ErrorCode, StringComparison.Ordinal);
        var outputSame = string.Equals(a.Run.Output, b.Run.Output, StringComparison.Ordinal);
        return new RunDiffReport(
            Side(a, pathA),
            Side(b, pathB),
            Similarity.Overall(nodes.Select(n => n.Similarity)),
            path.Same && !statusChanged && !errorChanged && outputSame && governance.Changes.Count == 0 && nodes.All(n => n.Change == "unchanged"),
            statusChanged,
            errorChanged,
            new PathDiff(path.Same, path.Added, path.Removed, path.Reordered),
            new RunDeltas(
                b.Run.InputTokens - a.Run.InputTokens,
                b.Run.OutputTokens - a.Run.OutputTokens,
                (b.Run.InputTokens + b.Run.OutputTokens) - (a.Run.InputTokens + a.Run.OutputTokens),
                b.CostUsd - a.CostUsd,
                b.DurationMs() - a.DurationMs()),
            nodes,
            governance);
    }

    private static RunSide Side(RunTrace t, IReadOnlyList<string> path) =>
        new(t.Run.Id, t.Run.GraphId, t.Run.GraphVersion, t.Run.Status, t.Run.Error, t.Run.ErrorCode, t.Run.InputTokens + t.Run.OutputTokens, t.CostUsd, t.DurationMs(), path);

    private static NodeDiff Node(string id, RunTrace? a, RunTrace? b)
    {
        var na = a?.State?.Nodes.GetValueOrDefault(id);
        var nb = b?.State?.Nodes.GetValueOrDefault(id);
        var outA = na?.Output ?? string.Empty;
        var outB = nb?.Output ?? string.Empty;
        var usageA = na?.Usage ?? Usage.Zero;
        var usageB = nb?.Usage ?? Usage.Zero;
        var reachedBoth = a is not null && b is not null;
        var similarity = reachedBoth ? OutputDiff.Score(outA, outB) : 0;
        var same = reachedBoth
            && na?.Status == nb?.Status
            && string.Equals(outA, outB, StringComparison.Ordinal)
            && string.Equals(na?.Error, nb?.Error, StringComparison.Ordinal)
            && string.Equals(na?.ErrorCode, nb?.ErrorCode, StringComparison.Ordinal);
        var change = a is null ? "added" : b is null ? "removed" : same ? "unchanged" : "changed";
        return new NodeDiff(
            id,
            change,
            a is null ? null : Status(na),
            b is null ? null : Status(nb),
            similarity,
            na?.Error,
            nb?.Error,
            na?.ErrorCode,
            nb?.ErrorCode,
            usageB.TotalTokens - usageA.TotalTokens,
            usageB.CostUsd - usageA.CostUsd,
            DurationMs(nb) - DurationMs(na),
            string.Equals(outA, outB, StringComparison.Ordinal) ? null : OutputDiff.Lines(outA, outB));
    }

    private static string Status(NodeState? node) => (node?.Status ?? NodeStatus.Pending).ToString().ToLowerInvariant();

    private static long DurationMs(NodeState? node) =>
        node is { StartedAt: { } start, EndedAt: { } end } ? Math.Max(0, (long)(end - start).TotalMilliseconds) : 0;

    private static GovernanceDiff Governance(RunTrace a, RunTrace b)
    {
        var countsA = GovernanceTally.Count(a.Events);
        var countsB = GovernanceTally.Count(b.Events);
        var changes = countsA.Keys.Union(countsB.Keys, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(k => new GovernanceChange(k, countsA.GetValueOrDefault(k), countsB.GetValueOrDefault(k)))
            .Where(c => c.A != c.B)
            .ToArray();
        return new GovernanceDiff(countsA, countsB, changes);
    }
}
