using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Providers;
using Warden.Core.Runs;
using Warden.Core.Serialization;

namespace Warden.Core.Tests.Support;

public enum SimAction
{
    Succeed,
    FailRetryable,
    FailFatal,
    FireTimer,
    Approve,
    Reject,
    Pause,
    Resume,
    Stop,
    Redeliver,
}

/// <summary>One scripted move of the environment: what happens next, and which outstanding item it picks.</summary>
public sealed record SimStep(SimAction Action, int Pick, int Variant)
{
    public override string ToString() => $"{Action}#{Pick}/{Variant}";
}

/// <summary>
/// A stand-in for an engine: it keeps the decider's outstanding work (ExecuteNode invocations, timers) and,
/// following a script, answers it in any order - successes with varied outputs, failures, timer firings
/// (including for attempts that have moved on), approvals, pause/resume/stop and late duplicates.
/// </summary>
internal sealed class RunSimulator
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly List<NodeInvocation> _running = [];
    private readonly List<NodeInvocation> _cancelled = [];
    private readonly List<StartTimer> _timers = [];
    private readonly List<RunEvent> _delivered = [];

    public RunSimulator(GraphDefinition graph, long seed)
    {
        Decider = new RunDecider(graph);
        Now = T0;
        var start = Admission.AdmitAll(Decider, Decider.Start(new RunStart("run-sim", "tenant", "graph", 1, """{"task":"demo","request":"demo"}""", seed), new RunContext(Now)), new RunContext(Now));
        State = start.State;
        Record(null, start);
    }

    public RunDecider Decider { get; }

    public RunState State { get; private set; }

    public DateTimeOffset Now { get; private set; }

    /// <summary>Called before every Apply with the state, event and context about to be used.</summary>
    public Action<RunState, RunEvent, RunContext>? BeforeApply { get; init; }

    /// <summary>Called after every accepted decision with the state it started from.</summary>
    public Action<RunState, RunEvent, RunContext, Decision>? AfterApply { get; init; }

    /// <summary>Every command of every accepted decision, in order.</summary>
    public List<RunCommand> Commands { get; } = [];

    /// <summary>Per decision: the event, then the serialized new state and commands (or the rejection).</summary>
    public List<string> Trace { get; } = [];

    public void Run(IEnumerable<SimStep> script)
    {
        foreach (var step in script)
        {
            if (State.Status.IsTerminal())
            {
                return;
            }

            if (Event(step) is { } evt)
            {
                Apply(evt);
            }
        }
    }

    /// <summary>Cooperates until the run ends: resume, succeed (with passing verdicts), approve, fire timers.</summary>
    public void Drain(int maxSteps = 2_000)
    {
        for (var i = 0; i < maxSteps && !State.Status.IsTerminal(); i++)
        {
            if (State.Status == RunStatus.Paused)
            {
                Apply(new SignalReceived(SignalKind.Resume, "sim"));
            }
            else if (_running.Count > 0)
            {
                Apply(Success(Take(_running, 0), "VERDICT: pass"));
            }
            else if (WaitingApprovals().FirstOrDefault() is { } approvalId)
            {
                Apply(new SignalReceived(SignalKind.Approve, "sim", approvalId));
            }
            else if (_timers.Count > 0)
            {
                var next = _timers.OrderBy(t => t.Due).ThenBy(t => t.Tag, StringComparer.Ordinal).First();
                _timers.Remove(next);
                Now = next.Due > Now ? next.Due : Now;
                Apply(new TimerFired(next.Tag));
            }
            else
            {
                throw new InvalidOperationException($"run is {State.Status} but nothing is outstanding:\n{WardenJson.Serialize(State)}");
            }
        }

        if (!State.Status.IsTerminal())
        {
            throw new InvalidOperationException($"run did not finish within {maxSteps} cooperative steps");
        }
    }

    private RunEvent? Event(SimStep step)
    {
        switch (step.Action)
        {
            case SimAction.Succeed when _running.Count > 0:
                return Success(Take(_running, step.Pick), Output(step.Variant));
            case SimAction.FailRetryable when _running.Count > 0:
                var retryable = Take(_running, step.Pick);
                return new NodeFailed(retryable.NodeId, retryable.Visit, retryable.Attempt, "503 from provider", Retryable: true, new Usage(3, 0, 0.00001m));
            case SimAction.FailFatal when _running.Count > 0:
                var fatal = Take(_running, step.Pick);
                return new NodeFailed(fatal.NodeId, fatal.Visit, fatal.Attempt, "invalid request", Retryable: false);
            case SimAction.FireTimer when _timers.Count > 0:
                var timer = _timers[step.Pick % _timers.Count];
                _timers.Remove(timer);
                Now = timer.Due > Now ? timer.Due : Now;
                return new TimerFired(timer.Tag);
            case SimAction.Approve or SimAction.Reject when WaitingApprovals().ToList() is { Count: > 0 } approvals:
                return new SignalReceived(step.Action == SimAction.Approve ? SignalKind.Approve : SignalKind.Reject, "sim", approvals[step.Pick % approvals.Count], "scripted");
            case SimAction.Pause:
                return new SignalReceived(SignalKind.Pause, "sim");
            case SimAction.Resume:
                return new SignalReceived(SignalKind.Resume, "sim");
            case SimAction.Stop:
                return new SignalReceived(SignalKind.Stop, "sim", Comment: "scripted");
            case SimAction.Redeliver when _cancelled.Count > 0 && step.Variant % 2 == 0:
                return Success(_cancelled[step.Pick % _cancelled.Count], "late result");
            case SimAction.Redeliver when _delivered.Count > 0:
                return _delivered[step.Pick % _delivered.Count];
            default:
                return null;
        }
    }

    private IEnumerable<string> WaitingApprovals() =>
        State.Nodes.Values.Where(n => n.Status == NodeStatus.WaitingApproval).Select(n => n.ApprovalId!);

    private static NodeInvocation Take(List<NodeInvocation> list, int pick)
    {
        var item = list[pick % list.Count];
        list.Remove(item);
        return item;
    }

    private static string Output(int variant) => (variant % 10) switch
    {
        <= 3 => "VERDICT: pass",
        4 or 5 => "VERDICT: revise",
        6 => """{"verdict":"revise","notes":"tighten the rollback"}""",
        7 => "LGTM",
        8 => "Plan:\n1. Do it\n2. Check it",
        _ => string.Empty,
    };

    private static NodeSucceeded Success(NodeInvocation inv, string output)
    {
        var text = output.Length > 0 ? output : MockResponder.Respond(inv.Seed, inv.NodeId, inv.Role, inv.Prompt).Text;
        return new NodeSucceeded(inv.NodeId, inv.Visit, inv.Attempt, text, new Usage(11, 7, 0.0001m), inv.Provider, inv.Model, 250);
    }

    private void Apply(RunEvent evt)
    {
        Now += TimeSpan.FromSeconds(1);
        var ctx = new RunContext(Now);
        var before = State;
        BeforeApply?.Invoke(before, evt, ctx);
        var decision = Admission.AdmitAll(Decider, Decider.Apply(before, evt, ctx), ctx);
        _delivered.Add(evt);
        if (decision.Rejected)
        {
            Trace.Add($"{WardenJson.Serialize(evt)} => rejected {decision.Rejection}");
            if (!ReferenceEquals(decision.State, before) || decision.Commands.Count > 0)
            {
                throw new InvalidOperationException($"rejection {decision.Rejection} changed the state or asked for work");
            }

            return;
        }

        Record(evt, decision);
        AfterApply?.Invoke(before, evt, ctx, decision);
    }

    private void Record(RunEvent? evt, Decision decision)
    {
        State = decision.State;
        Commands.AddRange(decision.Commands);
        Trace.Add($"{(evt is null ? "start" : WardenJson.Serialize(evt))} => {WardenJson.Serialize(decision.State)} {WardenJson.Serialize(decision.Commands)}");
        foreach (var command in decision.Commands)
        {
            switch (command)
            {
                case ExecuteNode { Invocation: var inv }:
                    if (State.Nodes[inv.NodeId] is not { Status: NodeStatus.Running } node || node.Visit != inv.Visit || node.Attempt != inv.Attempt)
                    {
                        throw new InvalidOperationException($"ExecuteNode {inv.Key} does not match the node's state");
                    }

                    _running.Add(inv);
                    break;
                case CancelNode c:
                    foreach (var inv in _running.Where(i => i.NodeId == c.NodeId && i.Visit == c.Visit && i.Attempt == c.Attempt).ToList())
                    {
                        _running.Remove(inv);
                        _cancelled.Add(inv);
                    }

                    break;
                case StartTimer t:
                    _timers.Add(t);
                    break;
                case CancelTimer t:
                    _timers.RemoveAll(x => x.Tag == t.Tag);
                    break;
            }
        }
    }

    public static string Describe(IEnumerable<SimStep> script) =>
        string.Join(" ", script.Select(s => s.ToString()));
}
