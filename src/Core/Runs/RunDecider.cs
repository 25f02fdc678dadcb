using System.Globalization;
using Warden.Core.Graphs;

namespace Warden.Core.Runs;

/// <summary>
/// The rules of a run as a pure function: <c>Start</c> and <c>Apply(state, event)</c> return the next
/// state and the commands an engine must carry out. Both engines (embedded and Durable) only persist,
/// execute and feed results back, so they agree by construction. The input state is never mutated.
/// </summary>
public sealed partial class RunDecider
{
    public const string SystemActor = "system";

    private readonly CompiledGraph _graph;

    public RunDecider(GraphDefinition graph)
    {
        _graph = new CompiledGraph(graph);
    }

    public GraphDefinition Graph => _graph.Definition;

    public Decision Start(RunStart start, RunContext ctx)
    {
        var state = new RunState
        {
            RunId = start.RunId,
            TenantId = start.TenantId,
            GraphId = start.GraphId,
            GraphVersion = start.GraphVersion,
            SnapshotId = start.SnapshotId,
            Seed = start.Seed,
            Input = start.Input,
            Options = start.Options is { IsEmpty: false } options ? options : null,
            Status = RunStatus.Running,
            StartedAt = ctx.Now,
            UpdatedAt = ctx.Now,
        };
        foreach (var node in _graph.Definition.Nodes)
        {
            state.Nodes[node.Id] = new NodeState();
        }

        var step = new Step(state, ctx.Now);
        step.Log("run.started", data: new Dictionary<string, string>
        {
            ["graph"] = start.GraphId,
            ["version"] = start.GraphVersion.ToString(CultureInfo.InvariantCulture),
            ["seed"] = start.Seed.ToString(CultureInfo.InvariantCulture),
            ["snapshot"] = start.SnapshotId ?? string.Empty,
        });
        Propagate(step);
        CheckCompletion(step);
        return step.ToDecision();
    }

    public Decision Apply(RunState state, RunEvent evt, RunContext ctx)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(evt);

        // A step's spend and provider health are recorded whatever the run makes of its result: a late or
        // cancelled call still cost money and still says something about the provider.
        RunCommand[] record = evt switch
        {
            NodeSucceeded e => [new RecordOutcome($"{state.RunId}/{e.NodeId}/{e.Visit}/{e.Attempt}", e.NodeId, e.Usage, e.Calls ?? [])],
            NodeFailed e => [new RecordOutcome($"{state.RunId}/{e.NodeId}/{e.Visit}/{e.Attempt}", e.NodeId, e.Usage ?? Costs.Usage.Zero, e.Calls ?? [])],
            _ => [],
        };
        if (state.Status.IsTerminal())
        {
            return record.Length > 0
                ? new Decision(state, record)
                : Reject(state, "RUN_FINISHED", $"run {state.RunId} has already {state.Status.ToString().ToLowerInvariant()}");
        }

        var step = new Step(state.Clone(), ctx.Now);
        step.Commands.AddRange(record);
        var outcome = evt switch
        {
            NodeSucceeded e => OnNodeSucceeded(step, e),
            NodeFailed e => OnNodeFailed(step, e),
            TimerFired e => OnTimerFired(step, e),
            SignalReceived e => OnSignal(step, e),
            GuardrailAnswered e => OnGuardrailAnswered(step, e),
            _ => throw new ArgumentOutOfRangeException(nameof(evt), evt.GetType().Name, "unknown run event"),
        };

        return outcome switch
        {
            Outcome.Applied => step.ToDecision(),
            Outcome.Stale => new Decision(state, record),
            _ => Reject(state, step.RejectionCode!, step.RejectionMessage!),
        };
    }

    private static Decision Reject(RunState state, string code, string message) =>
        new(state, [], new DecisionRejection(code, message));

    private enum Outcome
    {
        Applied,

        /// <summary>A late result or timer for an attempt that no longer matters: nothing changes.</summary>
        Stale,
        Rejected,
    }

    private Outcome OnNodeSucceeded(Step step, NodeSucceeded e)
    {
        var node = step.State.Nodes.GetValueOrDefault(e.NodeId);
        if (node is null || node.Status != NodeStatus.Running || node.Visit != e.Visit || node.Attempt != e.Attempt)
        {
            return Outcome.Stale;
        }

        step.Commands.Add(new CancelTimer(Tags.ForTimeout(e.NodeId, e.Visit, e.Attempt)));
        node.Status = NodeStatus.Succeeded;
        node.Output = e.Output;
        node.Error = null;
        node.Provider = e.Provider;
        node.Model = e.Model;
        node.Calls = e.Calls;
        node.Region = e.Calls?.LastOrDefault(c => c.Succeeded)?.Region;
        node.Usage += e.Usage;
        node.EndedAt = step.Now;
        step.State.Usage += e.Usage;
        if (e.Redactions is { Count: > 0 } redactions)
        {
            step.Log("governance.redacted", e.NodeId, e.Attempt, new Dictionary<string, string>
            {
                ["count"] = Str(redactions.Count),
                ["kinds"] = string.Join(", ", redactions.Select(r => $"{r.Kind}@{r.Direction}:{r.Start}+{r.Length}")),
            });
        }

        step.Log("node.completed", e.NodeId, e.Attempt, new Dictionary<string, string>
        {
            ["visit"] = Str(e.Visit),
            ["provider"] = e.Provider,
            ["model"] = e.Model,
            ["region"] = node.Region ?? string.Empty,
            ["failed_calls"] = Str(e.Calls?.Count(c => !c.Succeeded) ?? 0),
            ["input_tokens"] = Str(e.Usage.InputTokens),
            ["output_tokens"] = Str(e.Usage.OutputTokens),
            ["cost_usd"] = e.Usage.CostUsd.ToString(CultureInfo.InvariantCulture),
            ["duration_ms"] = Str(e.DurationMs),
            ["output_preview"] = Preview(e.Output),
        });
        AfterNodeEnded(step, e.NodeId);
        return Outcome.Applied;
    }

    private Outcome OnNodeFailed(Step step, NodeFailed e)
    {
        var node = step.State.Nodes.GetValueOrDefault(e.NodeId);
        if (node is null || node.Status != NodeStatus.Running || node.Visit != e.Visit || node.Attempt != e.Attempt)
        {
            return Outcome.Stale;
        }

        step.Commands.Add(new CancelTimer(Tags.ForTimeout(e.NodeId, e.Visit, e.Attempt)));
        node.Calls = e.Calls;
        node.ErrorCode = e.ErrorCode;
        if (e.ErrorCode is not null and not Contracts.NodeContract.ViolatedCode)
        {
            step.Log(e.ErrorCode == Replay.ReplayCodes.Miss ? Replay.ReplayCodes.MissedEvent : "governance.blocked", e.NodeId, e.Attempt, new Dictionary<string, string> { ["code"] = e.ErrorCode, ["reason"] = e.Error });
        }

        FailAttempt(step, e.NodeId, e.Error, e.Retryable, e.Usage);
        return Outcome.Applied;
    }

    private Outcome OnTimerFired(Step step, TimerFired e)
    {
        if (!Tags.TryParse(e.Tag, out var kind, out var nodeId, out var visit, out var attempt)
            || step.State.Nodes.GetValueOrDefault(nodeId) is not { } node
            || node.Visit != visit)
        {
            return Outcome.Stale;
        }

        switch (kind)
        {
            case Tags.Retry when node.Status == NodeStatus.WaitingRetry && attempt == node.Attempt + 1:
                if (step.State.Status == RunStatus.Paused)
                {
                    node.Status = NodeStatus.Ready;
                }
                else
                {
                    Dispatch(step, nodeId);
                }

                return Outcome.Applied;

            case Tags.Admit when node.Status == NodeStatus.Admitting && attempt == node.Attempt:
                AskAdmission(step, nodeId);
                return Outcome.Applied;

            case Tags.Timeout when node.Status == NodeStatus.Running && attempt == node.Attempt:
                var limit = Durations.Format(_graph.Nodes[nodeId].Timeout);
                step.Commands.Add(new CancelNode(nodeId, visit, attempt));
                step.Log("node.timed_out", nodeId, attempt, new Dictionary<string, string> { ["timeout"] = limit });
                FailAttempt(step, nodeId, $"timed out after {limit}", retryable: true, usage: null);
                return Outcome.Applied;

            case Tags.Deadline when node.Status == NodeStatus.WaitingApproval:
                OnApprovalDeadline(step, nodeId, node);
                return Outcome.Applied;

            default:
                return Outcome.Stale;
        }
    }

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Preview(string text) => text.Length <= 160 ? text : string.Concat(text.AsSpan(0, 157), "...");
}
