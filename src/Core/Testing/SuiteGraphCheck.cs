using Warden.Core.Graphs;
using Warden.Core.Testing.Assertions;

namespace Warden.Core.Testing;

/// <summary>
/// Checks a suite against the graph it tests: every node an assertion names must be a node of the graph, so a typo
/// (<c>node: codr</c>) is a bad suite with its line, not an assertion that silently never holds.
/// </summary>
public static class SuiteGraphCheck
{
    public static IReadOnlyList<SuiteError> Check(SuiteDefinition suite, GraphDefinition graph)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(graph);
        var nodes = graph.Nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var errors = new List<SuiteError>();
        var seen = new HashSet<(int, string)>();
        for (var i = 0; i < suite.Cases.Count; i++)
        {
            foreach (var assertion in suite.Cases[i].Assertions)
            {
                foreach (var node in Named(assertion).Where(n => !nodes.Contains(n)))
                {
                    // Default assertions repeat in every case: report each place once.
                    if (seen.Add((assertion.Line, node)))
                    {
                        errors.Add(new SuiteError($"$.cases[{i}] {assertion.Kind}", $"node '{node}' is not in graph '{graph.Name}'; its nodes are {string.Join(", ", nodes)}", assertion.Line, 1));
                    }
                }

                if (assertion is ContractAssertion && Uncontracted(assertion, graph) is { } problem && seen.Add((assertion.Line, assertion.Kind)))
                {
                    errors.Add(new SuiteError($"$.cases[{i}] {assertion.Kind}", problem, assertion.Line, 1));
                }
            }

            foreach (var node in MockedNodes(suite.Cases[i]).Where(n => !nodes.Contains(n)))
            {
                errors.Add(new SuiteError($"$.cases[{i}].mock.{node}", $"node '{node}' is not in graph '{graph.Name}'; its nodes are {string.Join(", ", nodes)}", suite.Cases[i].Line, 1));
            }
        }

        return errors;
    }

    /// <summary>A contract assertion on a node without a contract (or a graph without any) could never mean anything.</summary>
    private static string? Uncontracted(Assertion assertion, GraphDefinition graph)
    {
        var contracted = graph.Nodes.Where(n => n.Contract is not null).Select(n => n.Id).ToList();
        if (assertion.Node is { } node)
        {
            return graph.FindNode(node) is { Contract: null }
                ? $"node '{node}' has no contract in graph '{graph.Name}'{(contracted.Count > 0 ? $"; nodes with contracts: {string.Join(", ", contracted)}" : string.Empty)}"
                : null;
        }

        return contracted.Count == 0 ? $"graph '{graph.Name}' has no contracts" : null;
    }

    private static IEnumerable<string> MockedNodes(SuiteCase suiteCase) =>
        suiteCase.RunOptions is { } json && System.Text.Json.Nodes.JsonNode.Parse(json)?["mock"] is System.Text.Json.Nodes.JsonObject mock
            ? mock.Select(kv => kv.Key)
            : [];

    private static IEnumerable<string> Named(Assertion assertion) => assertion switch
    {
        VisitedAssertion v => v.Nodes,
        OrderAssertion o => o.Nodes,
        { Node: { } node } => [node],
        _ => [],
    };
}
