namespace Warden.Core.Graphs;

/// <summary>Checks a graph's shape: ids, edge ends, prompt references, loops and reachability.</summary>
internal static class GraphValidator
{
    public static void Validate(GraphDefinition graph, List<GraphError> errors, Func<string, string, GraphError> at)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            if (!ids.Add(node.Id))
            {
                errors.Add(at("node:" + node.Id, $"node id '{node.Id}' is used more than once"));
            }
        }

        for (var i = 0; i < graph.Edges.Count; i++)
        {
            var edge = graph.Edges[i];
            if (!ids.Contains(edge.From))
            {
                errors.Add(at($"$.edges[{i}].from", $"edge refers to unknown node '{edge.From}'"));
            }

            if (!ids.Contains(edge.To))
            {
                errors.Add(at($"$.edges[{i}].to", $"edge refers to unknown node '{edge.To}'"));
            }
        }

        foreach (var node in graph.Nodes.Where(n => n.Prompt is not null))
        {
            foreach (var reference in PromptTemplate.References(node.Prompt!))
            {
                if (PromptTemplate.CheckReference(reference, ids.Contains) is { } problem)
                {
                    errors.Add(at("prompt:" + node.Id, $"node '{node.Id}': {problem}"));
                }
            }
        }

        if (errors.Count > 0)
        {
            return;
        }

        CheckLoops(graph, errors, at);
        if (errors.Count == 0)
        {
            CheckReachability(graph, errors, at);
        }
    }

    private static void CheckLoops(GraphDefinition graph, List<GraphError> errors, Func<string, string, GraphError> at)
    {
        var forward = graph.Edges.Where(e => !e.IsLoop).ToList();
        var cycle = FindCycle(graph.Nodes.Select(n => n.Id), forward);
        if (cycle is not null)
        {
            errors.Add(at("node:" + cycle[0], $"cycle {string.Join(" -> ", cycle)} has no bound; set max_traversals on the edge that loops back"));
            return;
        }

        for (var i = 0; i < graph.Edges.Count; i++)
        {
            var edge = graph.Edges[i];
            if (edge.IsLoop && edge.To != edge.From && !Reaches(edge.To, edge.From, forward))
            {
                errors.Add(at($"$.edges[{i}]", $"edge {edge.From} -> {edge.To} has max_traversals but does not close a loop ('{edge.To}' does not lead to '{edge.From}')"));
            }
        }
    }

    private static void CheckReachability(GraphDefinition graph, List<GraphError> errors, Func<string, string, GraphError> at)
    {
        // A self-loop does not make a node depend on another one: it can still be a start node.
        var withIncoming = graph.Edges.Where(e => e.From != e.To).Select(e => e.To).ToHashSet(StringComparer.Ordinal);
        var roots = graph.Nodes.Where(n => !withIncoming.Contains(n.Id)).Select(n => n.Id).ToList();
        var seen = new HashSet<string>(roots, StringComparer.Ordinal);
        var queue = new Queue<string>(roots);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            foreach (var edge in graph.Edges.Where(e => e.From == current))
            {
                if (seen.Add(edge.To))
                {
                    queue.Enqueue(edge.To);
                }
            }
        }

        foreach (var node in graph.Nodes.Where(n => !seen.Contains(n.Id)))
        {
            errors.Add(at("node:" + node.Id, $"node '{node.Id}' is unreachable: no path leads to it from a start node"));
        }
    }

    private static bool Reaches(string from, string to, List<EdgeDefinition> edges)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { from };
        var stack = new Stack<string>([from]);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (current == to)
            {
                return true;
            }

            foreach (var edge in edges.Where(e => e.From == current && seen.Add(e.To)))
            {
                stack.Push(edge.To);
            }
        }

        return false;
    }

    /// <summary>Depth-first search for a cycle over the given edges; returns its nodes in order, or null.</summary>
    private static List<string>? FindCycle(IEnumerable<string> nodes, List<EdgeDefinition> edges)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var node in nodes)
        {
            if (Visit(node) is { } found)
            {
                return found;
            }
        }

        return null;

        List<string>? Visit(string node)
        {
            state.TryGetValue(node, out var s);
            if (s == 2)
            {
                return null;
            }

            if (s == 1)
            {
                var start = path.IndexOf(node);
                return [.. path[start..], node];
            }

            state[node] = 1;
            path.Add(node);
            foreach (var edge in edges.Where(e => e.From == node))
            {
                if (Visit(edge.To) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }
}
