using System.Globalization;
using System.Text;
using Warden.Core.Graphs;

namespace Warden.Core.Tests.Support;

/// <summary>
/// Builds valid graph documents from a seed: a DAG over n0..nk where n0 is the only start node and every
/// other node has a forward parent, some conditional edges, some approval gates and a few bounded loops.
/// </summary>
internal static class RandomGraphs
{
    private static readonly string[] Roles = [.. AgentRoles.All.Order(StringComparer.Ordinal)];

    private static readonly string[] ForwardConditions =
    [
        "output.verdict == pass", "output.verdict == revise", "status == failed", "status == succeeded",
        "output contains 'VERDICT'", "output.verdict != pass",
    ];

    private static readonly string[] LoopConditions = ["", "output.verdict == revise", "status == failed"];

    private static readonly string[] OnTimeout = ["fail", "escalate", "approve", "reject"];

    public static string Yaml(int seed)
    {
        var rnd = new Random(seed);
        var count = rnd.Next(2, 7);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"name: random-{seed}\nnodes:\n");
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && rnd.NextDouble() < 0.2)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  - id: n{i}\n    kind: approval\n    message: Go on?\n    deadline: 10m\n    on_timeout: {OnTimeout[rnd.Next(OnTimeout.Length)]}\n");
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"  - id: n{i}\n    role: {Roles[rnd.Next(Roles.Length)]}\n    prompt: \"Step {i} {{{{upstream}}}}\"\n    retries: {rnd.Next(0, 3)}\n");
            }
        }

        var forward = new List<(int From, int To)>();
        sb.Append("edges:\n");
        for (var to = 1; to < count; to++)
        {
            var parents = new SortedSet<int> { rnd.Next(to) };
            for (var from = 0; from < to; from++)
            {
                if (rnd.NextDouble() < 0.3)
                {
                    parents.Add(from);
                }
            }

            foreach (var from in parents)
            {
                forward.Add((from, to));
                AppendEdge(sb, from, to, rnd.NextDouble() < 0.35 ? ForwardConditions[rnd.Next(ForwardConditions.Length)] : string.Empty, null);
            }
        }

        var loops = new HashSet<(int, int)>();
        var wanted = rnd.Next(0, 3);
        for (var k = 0; k < wanted; k++)
        {
            var from = rnd.Next(1, count);
            var targets = Enumerable.Range(1, from).Where(t => Reaches(t, from, forward)).ToList();
            var to = targets[rnd.Next(targets.Count)];
            if (loops.Add((from, to)))
            {
                AppendEdge(sb, from, to, LoopConditions[rnd.Next(LoopConditions.Length)], rnd.Next(1, 3));
            }
        }

        return sb.ToString();
    }

    private static void AppendEdge(StringBuilder sb, int from, int to, string when, int? maxTraversals)
    {
        sb.Append(CultureInfo.InvariantCulture, $"  - from: n{from}\n    to: n{to}\n");
        if (when.Length > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    when: \"{when}\"\n");
        }

        if (maxTraversals is { } max)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    max_traversals: {max}\n");
        }
    }

    private static bool Reaches(int from, int to, List<(int From, int To)> edges)
    {
        var seen = new HashSet<int> { from };
        var stack = new Stack<int>([from]);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (current == to)
            {
                return true;
            }

            foreach (var (_, next) in edges.Where(e => e.From == current && seen.Add(e.To)))
            {
                stack.Push(next);
            }
        }

        return false;
    }
}
