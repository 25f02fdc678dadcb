using Warden.Core.Graphs;

namespace Warden.Core.Runs;

/// <summary>A graph's adjacency worked out once per version, so each decision is a few lookups.</summary>
internal sealed class CompiledGraph
{
    public CompiledGraph(GraphDefinition graph)
    {
        Definition = graph;
        Nodes = graph.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        Outgoing = graph.Nodes.ToDictionary(n => n.Id, n => graph.Edges.Where(e => e.From == n.Id).ToArray(), StringComparer.Ordinal);
        IncomingForward = graph.Nodes.ToDictionary(n => n.Id, n => graph.Edges.Where(e => e.To == n.Id && !e.IsLoop).ToArray(), StringComparer.Ordinal);
        Order = TopologicalOrder(graph);
        LoopBodies = graph.Edges.Where(e => e.IsLoop).Distinct().ToDictionary(e => e, e => ForwardReach(e.To));
    }

    public GraphDefinition Definition { get; }

    public IReadOnlyDictionary<string, NodeDefinition> Nodes { get; }

    public IReadOnlyDictionary<string, EdgeDefinition[]> Outgoing { get; }

    public IReadOnlyDictionary<string, EdgeDefinition[]> IncomingForward { get; }

    /// <summary>Nodes in topological order over forward edges (loop edges excluded).</summary>
    public IReadOnlyList<string> Order { get; }

    /// <summary>For each loop edge, the nodes a traversal re-runs: its target and everything forward of it.</summary>
    public IReadOnlyDictionary<EdgeDefinition, HashSet<string>> LoopBodies { get; }

    private HashSet<string> ForwardReach(string start)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        var stack = new Stack<string>([start]);
        while (stack.Count > 0)
        {
            foreach (var edge in Outgoing[stack.Pop()])
            {
                if (!edge.IsLoop && seen.Add(edge.To))
                {
                    stack.Push(edge.To);
                }
            }
        }

        return seen;
    }

    private static List<string> TopologicalOrder(GraphDefinition graph)
    {
        var indegree = graph.Nodes.ToDictionary(n => n.Id, _ => 0, StringComparer.Ordinal);
        foreach (var edge in graph.Edges.Where(e => !e.IsLoop))
        {
            indegree[edge.To]++;
        }

        var ready = new Queue<string>(graph.Nodes.Where(n => indegree[n.Id] == 0).Select(n => n.Id));
        var order = new List<string>(graph.Nodes.Count);
        while (ready.Count > 0)
        {
            var id = ready.Dequeue();
            order.Add(id);
            foreach (var edge in graph.Edges.Where(e => e.From == id && !e.IsLoop))
            {
                if (--indegree[edge.To] == 0)
                {
                    ready.Enqueue(edge.To);
                }
            }
        }

        return order;
    }
}
