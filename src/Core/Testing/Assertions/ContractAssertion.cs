using System.Globalization;
using Warden.Core.Contracts;
using Warden.Core.Graphs;

namespace Warden.Core.Testing.Assertions;

/// <summary>
/// <c>contract: node</c> (one node) or <c>contracts: hold</c> (every node with a contract that produced output): the
/// graph's own contracts hold on the run's final node outputs, checked by the same <see cref="ContractChecker"/> the
/// executor runs, so a suite asserts a contract without restating it. Attempts the runtime failed with
/// CONTRACT_VIOLATED (and retried) are reported; with <see cref="MaxViolations"/> more of them than that fail it.
/// </summary>
public sealed record ContractAssertion(string? Node, long? MaxViolations) : Assertion(Node is null ? "contracts" : "contract", Node)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var expected = (Node is null ? "every node's contract holds" : $"the contract of '{Node}' holds")
            + (MaxViolations is { } most ? string.Create(CultureInfo.InvariantCulture, $", at most {most} violated attempt(s)") : string.Empty);
        if (run.Graph is not { } graph)
        {
            return Result(false, expected, "the runner did not load the graph, so its contracts are unknown");
        }

        var nodes = graph.Nodes.Where(n => n.Contract is not null && (Node is null || n.Id == Node)).ToList();
        if (nodes.Count == 0)
        {
            return Result(false, expected, Node is null ? $"graph '{graph.Name}' has no contracts" : $"node '{Node}' has no contract");
        }

        var broken = new List<string>();
        var checkedNodes = 0;
        foreach (var node in nodes)
        {
            if (run.NodeOutputs.GetValueOrDefault(node.Id) is not { } output)
            {
                if (Node is not null)
                {
                    broken.Add($"'{node.Id}' produced no output");
                }

                continue;
            }

            checkedNodes++;
            var violations = ContractChecker.Check(CompiledContract.Compile(node.Contract!), InputOf(graph, node, run), output, OutputTokens(run, node.Id));
            broken.AddRange(violations.Select(v => $"{node.Id}: {v}"));
        }

        var attempts = run.Timeline
            .Where(e => e.Type == "node.failed" && e.Get("error_code") == NodeContract.ViolatedCode && (Node is null || e.NodeId == Node))
            .ToList();
        var retried = attempts.Count == 0
            ? string.Empty
            : $"; {attempts.Count} attempt(s) failed CONTRACT_VIOLATED: {string.Join(", ", attempts.Take(3).Select(e => $"{e.NodeId}#{e.Attempt}"))}";
        var passed = broken.Count == 0 && (MaxViolations is not { } max || attempts.Count <= max);
        var actual = broken.Count > 0
            ? string.Join("; ", broken.Take(5))
            : string.Create(CultureInfo.InvariantCulture, $"held on {checkedNodes} node(s)");
        return Result(passed, expected, actual + retried);
    }

    /// <summary>The node's input as the runtime checked it: the run input, one upstream output, or upstream outputs by id.</summary>
    private static string InputOf(GraphDefinition graph, NodeDefinition node, RunObservation run)
    {
        var upstream = graph.Edges
            .Where(e => e.To == node.Id && !e.IsLoop)
            .Select(e => (e.From, Output: run.NodeOutputs.GetValueOrDefault(e.From)))
            .Where(u => u.Output is not null)
            .Select(u => (u.From, u.Output!))
            .ToList();
        return ContractInput.For(run.Input ?? "{}", upstream);
    }

    private static long OutputTokens(RunObservation run, string nodeId) =>
        run.Timeline.LastOrDefault(e => e.Type == "node.completed" && e.NodeId == nodeId) is { } completed
            && long.TryParse(completed.Get("output_tokens"), NumberStyles.None, CultureInfo.InvariantCulture, out var tokens)
            ? tokens
            : 0;
}
