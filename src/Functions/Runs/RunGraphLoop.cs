using Microsoft.DurableTask;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Functions.Guardrails;
using Warden.Runtime.Storage;
using DurableRetryPolicy = Microsoft.DurableTask.RetryPolicy;

namespace Warden.Functions.Runs;

/// <summary>
/// One execution of a run's orchestration. It does for the decider what the embedded engine's writer does: carry
/// out each decision's commands with Durable primitives, turn whatever finishes next into a <see cref="RunEvent"/>,
/// and Apply it at <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/>. All rules stay in the decider.
/// Orchestrator code: deterministic (no IO, clock, random ids or ConfigureAwait), so it replays identically.
/// </summary>
internal sealed class RunGraphLoop
{
    /// <summary>Projection writes are idempotent, so a store hiccup is worth a few tries before the orchestration fails.</summary>
    private static readonly TaskOptions ProjectionRetry =
        TaskOptions.FromRetryPolicy(new DurableRetryPolicy(5, TimeSpan.FromSeconds(1), 2.0, TimeSpan.FromSeconds(30)));

    private readonly TaskOrchestrationContext _context;
    private readonly RunGraphInput _input;
    private readonly RunDecider _decider;
    private readonly EntityGuardrails _guardrails;
    private readonly Dictionary<Task<NodeResult>, NodeInvocation> _running = [];
    private readonly Dictionary<string, ScheduledTimer> _timers = new(StringComparer.Ordinal);

    /// <summary>Steps decided after this execution's share of decisions was used up: the next execution schedules them.</summary>
    private readonly List<NodeInvocation> _deferred = [];
    private Task<SignalReceived>? _signal;
    private RunState _state;
    private long _decisions;
    private long _events;
    private int _appliedHere;

    public RunGraphLoop(TaskOrchestrationContext context, RunGraphInput input)
    {
        _context = context;
        _input = input;
        _decider = new RunDecider(GraphParser.Parse(input.GraphSource));
        _guardrails = new EntityGuardrails(context, input.Policy, runHasBudget: _decider.Graph.Budget is not null);
        _state = input.CarryOver?.State ?? new RunState { RunId = input.Start.RunId, TenantId = input.Start.TenantId, GraphId = input.Start.GraphId };
        _decisions = input.CarryOver?.Decisions ?? 0;
        _events = input.CarryOver?.Events ?? 0;
    }

    public async Task<RunResult> RunAsync()
    {
        if (_input.CarryOver is { } carried)
        {
            foreach (var timer in carried.Timers)
            {
                Schedule(timer.Tag, timer.Due);
            }

            foreach (var invocation in carried.Dispatch ?? [])
            {
                Dispatch(invocation);
            }
        }
        else
        {
            if (_decider.Graph.Budget is { } budget)
            {
                await _guardrails.LimitRunAsync(_input.Start.RunId, budget);
            }

            await CarryOutAsync(_decider.Start(_input.Start, Now()));
        }

        // A finished run still waits for steps in flight: what they cost reaches the budgets and breakers.
        while (!_state.Status.IsTerminal() || _running.Count > 0)
        {
            if (!_state.Status.IsTerminal() && _appliedHere >= _input.DecisionsPerExecution && _running.Count == 0)
            {
                var timers = _timers.Select(t => new PendingTimer(t.Key, t.Value.Due)).ToList();
                CancelTimers();
                _context.ContinueAsNew(_input with { CarryOver = new RunCarryOver(_state, _decisions, _events, timers, [.. _deferred]) });
                return Result();
            }

            await ApplyAsync(await NextEventAsync());
        }

        CancelTimers();
        return Result();
    }

    /// <summary>Waits for the next step result, timer or signal (only step results once the run has finished).</summary>
    private async Task<RunEvent> NextEventAsync()
    {
        var open = !_state.Status.IsTerminal();
        var waiting = new List<Task>(_running.Count + _timers.Count + 1);
        waiting.AddRange(_running.Keys);
        if (open)
        {
            waiting.AddRange(_timers.Values.Select(t => t.Fired));
            waiting.Add(_signal ??= _context.WaitForExternalEvent<SignalReceived>(RunGraph.SignalEvent));
        }

        var next = await Task.WhenAny(waiting);
        if (next is Task<NodeResult> step && _running.Remove(step, out var invocation))
        {
            return await OutcomeAsync(step, invocation);
        }

        if (ReferenceEquals(next, _signal))
        {
            _signal = null;
            return await (Task<SignalReceived>)next;
        }

        var tag = _timers.First(t => ReferenceEquals(t.Value.Fired, next)).Key;
        _timers.Remove(tag);
        return new TimerFired(tag);
    }

    private static async Task<RunEvent> OutcomeAsync(Task<NodeResult> step, NodeInvocation invocation)
    {
        try
        {
            return (await step).Event;
        }
        catch (TaskFailedException ex)
        {
            // The activity itself failed (a provider failure comes back as a NodeFailed result): like any retryable
            // failure, the decider decides whether and when to try again.
            return new NodeFailed(invocation.NodeId, invocation.Visit, invocation.Attempt, $"{ex.FailureDetails.ErrorType}: {ex.FailureDetails.ErrorMessage}", Retryable: true);
        }
    }

    private async Task ApplyAsync(RunEvent evt)
    {
        var decision = _decider.Apply(_state, evt, Now());

        // A rejected signal changes nothing; DurableRunEngine already answered its caller from the same decider.
        if (!decision.Rejected)
        {
            await CarryOutAsync(decision, evt);
        }
    }

    /// <summary>Carries out one decision's commands in order, writes it to the store, then answers its guardrail questions.</summary>
    private async Task CarryOutAsync(Decision decision, RunEvent? applied = null)
    {
        _appliedHere++;
        var changed = !ReferenceEquals(decision.State, _state);
        _state = decision.State;
        var now = Now().Now;
        var asks = new List<AskGuardrails>();
        var projected = new List<RunCommand>();
        foreach (var command in decision.Commands)
        {
            switch (command)
            {
                case ExecuteNode e when _appliedHere >= _input.DecisionsPerExecution:
                    // This execution has applied its share: the step starts in the next one, so this one can end.
                    _deferred.Add(e.Invocation);
                    break;
                case ExecuteNode e:
                    Dispatch(e.Invocation);
                    break;
                case CancelNode c:
                    // An activity cannot be recalled. Its late result is stale to the decider, which still records its cost.
                    // A step not yet scheduled is simply not scheduled.
                    _deferred.RemoveAll(i => i.NodeId == c.NodeId && i.Visit == c.Visit && i.Attempt == c.Attempt);
                    break;
                case StartTimer t:
                    Schedule(t.Tag, t.Due);
                    break;
                case CancelTimer t:
                    Cancel(t.Tag);
                    break;
                case AskGuardrails ask:
                    asks.Add(ask);
                    break;
                case RecordOutcome outcome:
                    await _guardrails.RecordAsync(_state, outcome, now);
                    break;
                case FinishRun:
                    await _guardrails.ReleaseRunAsync(_state, now);
                    projected.Add(command);
                    break;
                default:
                    // AppendTimeline, RequestApproval, CloseApproval, EscalateApproval: the store's view of the run.
                    projected.Add(command);
                    break;
            }
        }

        if (changed)
        {
            _decisions++;
            var input = applied is not null && _input.RecordHistory == true ? new Core.Runs.Replay.RecordedEvent(now, applied) : null;
            var update = new RunProjectionUpdate(_state, _decisions, _events, projected, input);
            _events += projected.OfType<AppendTimeline>().Sum(t => t.Entries.Count);
            _context.SetCustomStatus(_state.Status.ToString().ToLowerInvariant());
            await _context.CallActivityAsync(nameof(AppendTimelineActivity), update, ProjectionRetry);
        }

        // Answered at once, as the embedded engine does in the decision's own transaction.
        foreach (var ask in asks)
        {
            var answer = await _guardrails.AnswerAsync(_state, ask, now);
            var answered = _decider.Apply(_state, answer, Now());
            if (!answered.Rejected)
            {
                await CarryOutAsync(answered, answer);
            }
        }
    }

    /// <summary>No Durable retry policy: the decider owns retries and backoff, so a failed attempt comes back as NodeFailed.</summary>
    private void Dispatch(NodeInvocation invocation) =>
        _running.Add(_context.CallActivityAsync<NodeResult>(nameof(ExecuteNodeActivity), invocation), invocation);

    private void Schedule(string tag, DateTimeOffset due)
    {
        Cancel(tag);
        var cancellation = new CancellationTokenSource();
        _timers[tag] = new ScheduledTimer(due, _context.CreateTimer(due.UtcDateTime, cancellation.Token), cancellation);
    }

    private void Cancel(string tag)
    {
        if (_timers.Remove(tag, out var timer))
        {
            timer.Stop();
        }
    }

    /// <summary>An orchestration completes (or continues as new) only once no timer of it is outstanding.</summary>
    private void CancelTimers()
    {
        foreach (var timer in _timers.Values)
        {
            timer.Stop();
        }

        _timers.Clear();
    }

    private RunContext Now() => new(new DateTimeOffset(DateTime.SpecifyKind(_context.CurrentUtcDateTime, DateTimeKind.Utc)));

    private RunResult Result() => new(_state.RunId, _state.Status, _state.Output, _state.Error, _state.ErrorCode);

    private sealed record ScheduledTimer(DateTimeOffset Due, Task Fired, CancellationTokenSource Cancellation)
    {
        public void Stop()
        {
            Cancellation.Cancel();
            Cancellation.Dispose();
        }
    }
}
