using System.Globalization;

namespace Warden.Core.Testing.Assertions;

/// <summary>The path a run took, read from its durable timeline.</summary>
internal static class Trajectory
{
    /// <summary>Nodes in completion order: agent steps by node.completed, approval gates by approval.approved.</summary>
    public static List<string> Completed(RunObservation run) =>
        run.Timeline.Where(e => e.NodeId is not null && e.Type is "node.completed" or "approval.approved").Select(e => e.NodeId!).ToList();

    /// <summary>A node is visited once it started, completed or asked for an approval.</summary>
    public static bool Visited(RunObservation run, string node) =>
        run.Timeline.Any(e => e.NodeId == node && e.Type is "node.started" or "node.completed" or "approval.requested");

    public static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary><c>visited: node</c> / <c>not_visited: node</c> (a list of nodes is allowed: each is checked).</summary>
public sealed record VisitedAssertion(IReadOnlyList<string> Nodes, bool Expected) : Assertion(Expected ? "visited" : "not_visited", null)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var wrong = Nodes.Where(n => Trajectory.Visited(run, n) != Expected).ToList();
        var path = string.Join(" → ", Trajectory.Completed(run));
        return Result(wrong.Count == 0, $"{(Expected ? "visited" : "not visited")}: {string.Join(", ", Nodes)}", wrong.Count == 0 ? $"path {path}" : $"{(Expected ? "not visited" : "visited")}: {string.Join(", ", wrong)} (path {path})");
    }
}

/// <summary><c>order: [a, b, c]</c>: the nodes completed in this order, other nodes allowed in between (a subsequence).</summary>
public sealed record OrderAssertion(IReadOnlyList<string> Nodes) : Assertion("order", null)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var completed = Trajectory.Completed(run);
        var next = 0;
        foreach (var node in completed)
        {
            if (next < Nodes.Count && node == Nodes[next])
            {
                next++;
            }
        }

        return Result(next == Nodes.Count, string.Join(" → ", Nodes), string.Join(" → ", completed));
    }
}

/// <summary><c>visits: N</c> with <c>node:</c>: the node completed exactly N times (loops count each pass).</summary>
public sealed record VisitCountAssertion(string NodeId, long Count) : Assertion("visits", NodeId)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        var actual = Trajectory.Completed(run).Count(n => n == NodeId);
        return Result(actual == Count, $"{Trajectory.Str(Count)} completed visit(s)", Trajectory.Str(actual));
    }
}

/// <summary><c>approval_requested: true|false</c>, optionally for one <c>node</c>.</summary>
public sealed record ApprovalRequestedAssertion(bool Expected, string? Node) : Assertion("approval_requested", Node)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var asked = run.Timeline.Where(e => e.Type == "approval.requested" && (Node is null || e.NodeId == Node)).Select(e => e.NodeId).ToList();
        return Result(asked.Count > 0 == Expected, Expected ? "an approval request" : "no approval request", asked.Count == 0 ? "none" : $"requested by {string.Join(", ", asked)}");
    }
}

/// <summary><c>max_retries: N</c>: failed attempts that were retried, summed over the run or for one <c>node</c>.</summary>
public sealed record MaxRetriesAssertion(long Limit, string? Node) : Assertion("max_retries", Node)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var retries = run.Timeline.Count(e => e.Type == "node.failed" && e.Get("will_retry") == "true" && (Node is null || e.NodeId == Node));
        return Result(retries <= Limit, $"≤ {Trajectory.Str(Limit)} retries", Trajectory.Str(retries));
    }
}

/// <summary><c>provider: name</c>: some step (or the given <c>node</c>) completed on this provider.</summary>
public sealed record ProviderUsedAssertion(string Provider, string? Node) : Assertion("provider", Node)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var used = run.Timeline.Where(e => e.Type == "node.completed" && (Node is null || e.NodeId == Node)).Select(e => e.Get("provider")).Where(p => p.Length > 0).Distinct().ToList();
        return Result(used.Contains(Provider), $"provider {Provider}", used.Count == 0 ? "no provider call completed" : string.Join(", ", used));
    }
}
