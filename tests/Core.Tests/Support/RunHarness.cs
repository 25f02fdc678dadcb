using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Core.Serialization;

namespace Warden.Core.Tests.Support;

/// <summary>
/// Drives a <see cref="RunDecider"/> one event at a time with a fake clock (one second per event) and
/// a tiny event language for [Theory] rows:
/// <c>ok:node[:output]</c>, <c>error:node</c> (retryable), <c>fatal:node</c>, <c>timeout:node</c>,
/// <c>retrytimer:node</c>, <c>deadline:node</c>, <c>timer:&lt;tag&gt;</c>, <c>approve:node</c>,
/// <c>reject:node</c>, <c>pause</c>, <c>resume</c>, <c>stop</c>.
/// </summary>
internal sealed class RunHarness
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);

    public RunHarness(string yaml, long seed = 42)
    {
        Decider = new RunDecider(GraphParser.Parse(yaml));
        Seed = seed;
        Now = T0;
        var start = Admission.AdmitAll(Decider, Decider.Start(new RunStart("run-1", "tenant-1", "graph-1", 1, """{"task":"sort numbers"}""", seed), new RunContext(Now)), new RunContext(Now));
        State = start.State;
        Last = start;
        History.AddRange(start.Commands);
    }

    public RunDecider Decider { get; }

    public long Seed { get; }

    public DateTimeOffset Now { get; private set; }

    public RunState State { get; private set; }

    public Decision Last { get; private set; }

    /// <summary>Every command of every accepted decision, in order.</summary>
    public List<RunCommand> History { get; } = [];

    public NodeState Node(string id) => State.Nodes[id];

    public Decision Apply(RunEvent evt)
    {
        Now += TimeSpan.FromSeconds(1);
        var decision = Admission.AdmitAll(Decider, Decider.Apply(State, evt, new RunContext(Now)), new RunContext(Now));
        Last = decision;
        if (!decision.Rejected)
        {
            State = decision.State;
            History.AddRange(decision.Commands);
        }

        return decision;
    }

    public Decision Do(string spec) => Apply(Event(spec));

    public RunHarness DoAll(params string[] specs)
    {
        foreach (var spec in specs)
        {
            var decision = Do(spec);
            if (decision.Rejected)
            {
                throw new InvalidOperationException($"arrange step '{spec}' was rejected: {decision.Rejection}");
            }
        }

        return this;
    }

    public RunEvent Event(string spec)
    {
        var parts = spec.Split(':', 3);
        var id = parts.Length > 1 ? parts[1] : string.Empty;
        return parts[0] switch
        {
            "ok" => Succeeded(id, parts.Length > 2 ? parts[2] : $"output of {id}"),
            "error" => Failed(id, retryable: true),
            "fatal" => Failed(id, retryable: false),
            "timeout" => new TimerFired($"timeout:{id}:{Node(id).Visit}:{Node(id).Attempt}"),
            "retrytimer" => new TimerFired($"retry:{id}:{Node(id).Visit}:{Node(id).Attempt + 1}"),
            "deadline" => new TimerFired($"deadline:{id}:{Node(id).Visit}"),
            "timer" => new TimerFired(spec["timer:".Length..]),
            "approve" => new SignalReceived(SignalKind.Approve, "alice", Node(id).ApprovalId, "looks good"),
            "reject" => new SignalReceived(SignalKind.Reject, "bob", Node(id).ApprovalId, "not yet"),
            "pause" => new SignalReceived(SignalKind.Pause, "ops"),
            "resume" => new SignalReceived(SignalKind.Resume, "ops"),
            "stop" => new SignalReceived(SignalKind.Stop, "ops", Comment: "enough"),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "unknown event spec"),
        };
    }

    public NodeSucceeded Succeeded(string id, string output) =>
        new(id, Node(id).Visit, Node(id).Attempt, output, new Usage(10, 5, 0.001m), "mock", "mock-1", 120);

    public NodeFailed Failed(string id, bool retryable) =>
        new(id, Node(id).Visit, Node(id).Attempt, "provider returned 503", retryable);

    public static IReadOnlyList<string> Executed(Decision decision) =>
        decision.Commands.OfType<ExecuteNode>().Select(c => c.Invocation.NodeId).ToList();

    public static IReadOnlyList<TimelineEntry> Timeline(IEnumerable<RunCommand> commands) =>
        commands.OfType<AppendTimeline>().SelectMany(t => t.Entries).ToList();

    public static string Serialize(RunState state) => WardenJson.Serialize(state);
}
