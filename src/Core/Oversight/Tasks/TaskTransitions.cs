using System.Globalization;

namespace Warden.Core.Oversight.Tasks;

/// <summary>
/// queued → assigned → acked → in_progress → completed → verified. An assignee that does not ack within the ack
/// timeout, or a failure in progress, hands the task out again (to the same assignee) up to MaxRetries times, then
/// escalates; reviewers override statuses and resolve escalations. Pure: time comes in, timers go out as commands.
/// </summary>
public static class TaskTransitions
{
    public static TaskDecision Create(string id, string tenantId, string title, string? assignee, string? runId, string actor, TaskOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        var state = new OversightTaskState(id, tenantId, title, OversightStatus.Queued, null, 0, options.MaxRetries, options.AckTimeout, runId, null, null, null, now, now);
        var commands = new List<TaskCommand> { new TaskCommand.Record("task.created", actor, title) };
        if (assignee is null)
        {
            return new TaskDecision(state, commands);
        }

        var assigned = Apply(state, new TaskEvent.Assign(actor, assignee), now);
        commands.AddRange(assigned.Commands);
        return assigned with { Commands = commands };
    }

    public static TaskDecision Apply(OversightTaskState state, TaskEvent evt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var commands = new List<TaskCommand>();
        var next = evt switch
        {
            TaskEvent.Assign e when state.Status is OversightStatus.Queued or OversightStatus.Assigned => HandOut(state with { Assignee = e.Assignee }, e.Actor, "task.assigned", e.Assignee, now, commands),
            TaskEvent.Ack e when state.Status == OversightStatus.Assigned && e.Actor == state.Assignee => Move(state, OversightStatus.Acked, e.Actor, "task.acked", string.Empty, now, commands, cancelAck: true),
            TaskEvent.Start e when state.Status == OversightStatus.Acked && e.Actor == state.Assignee => Move(state, OversightStatus.InProgress, e.Actor, "task.started", string.Empty, now, commands),
            TaskEvent.Complete e when state.Status == OversightStatus.InProgress && e.Actor == state.Assignee => Move(state with { Result = e.Result }, OversightStatus.Completed, e.Actor, "task.completed", e.Result ?? string.Empty, now, commands),
            TaskEvent.Fail e when state.Status == OversightStatus.InProgress && e.Actor == state.Assignee => Retry(state with { LastError = e.Error }, e.Actor, $"failed: {e.Error}", now, commands),
            TaskEvent.Verify e when state.Status == OversightStatus.Completed => Move(state, OversightStatus.Verified, e.Actor, "task.verified", string.Empty, now, commands),
            TaskEvent.Override e => Move(state, e.Status, e.Actor, "task.overridden", $"{state.Status.ToString().ToLowerInvariant()} -> {e.Status.ToString().ToLowerInvariant()}: {e.Reason}", now, commands, cancelAck: true),
            TaskEvent.Escalate e when !state.IsFinished && state.Status != OversightStatus.Escalated => EscalateTask(state, e.Actor, e.Reason, now, commands),
            TaskEvent.Resolve e when state.Status == OversightStatus.Escalated && e.Assignee is not null =>
                HandOut(state with { Assignee = e.Assignee, Retries = 0, EscalationReason = null }, e.Actor, "task.resolved", $"reassigned to {e.Assignee}: {e.Resolution}", now, commands),
            TaskEvent.Resolve e when state.Status == OversightStatus.Escalated => Move(state, OversightStatus.Cancelled, e.Actor, "task.resolved", $"closed: {e.Resolution}", now, commands),
            TaskEvent.TimerFired e when state.Status == OversightStatus.Assigned && e.Tag == AckTag(state.Retries) =>
                Retry(state, "system", $"not acknowledged within {state.AckTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s", now, commands),
            TaskEvent.TimerFired => null,
            _ => throw new InvalidTaskTransitionException($"task {state.Id} is {Name(state.Status)}: {Describe(evt, state)} is not allowed now"),
        };

        return next is null ? new TaskDecision(state, []) : new TaskDecision(next, commands);
    }

    /// <summary>The ack timer of a hand-out: one per retry number, so a late timer of an earlier hand-out is ignored.</summary>
    public static string AckTag(int retry) => $"ack:{retry}";

    private static OversightTaskState HandOut(OversightTaskState state, string actor, string type, string detail, DateTimeOffset now, List<TaskCommand> commands)
    {
        if (state.Status == OversightStatus.Assigned)
        {
            commands.Add(new TaskCommand.CancelTimer(AckTag(state.Retries)));
        }

        commands.Add(new TaskCommand.StartTimer(AckTag(state.Retries), now + state.AckTimeout));
        commands.Add(new TaskCommand.Record(type, actor, detail));
        return state with { Status = OversightStatus.Assigned, UpdatedAt = now };
    }

    private static OversightTaskState Retry(OversightTaskState state, string actor, string why, DateTimeOffset now, List<TaskCommand> commands)
    {
        if (state.Retries >= state.MaxRetries)
        {
            return EscalateTask(state, actor, $"{why}; retried {state.Retries} times", now, commands);
        }

        var next = state with { Retries = state.Retries + 1, Status = OversightStatus.Assigned, UpdatedAt = now };
        commands.Add(new TaskCommand.StartTimer(AckTag(next.Retries), now + state.AckTimeout));
        commands.Add(new TaskCommand.Record("task.retried", actor, $"{why}; retry {next.Retries} of {state.MaxRetries}"));
        return next;
    }

    private static OversightTaskState EscalateTask(OversightTaskState state, string actor, string reason, DateTimeOffset now, List<TaskCommand> commands)
    {
        commands.Add(new TaskCommand.CancelTimer(AckTag(state.Retries)));
        commands.Add(new TaskCommand.Record("task.escalated", actor, reason));
        return state with { Status = OversightStatus.Escalated, EscalationReason = reason, UpdatedAt = now };
    }

    private static OversightTaskState Move(OversightTaskState state, OversightStatus status, string actor, string type, string detail, DateTimeOffset now, List<TaskCommand> commands, bool cancelAck = false)
    {
        if (cancelAck)
        {
            commands.Add(new TaskCommand.CancelTimer(AckTag(state.Retries)));
        }

        commands.Add(new TaskCommand.Record(type, actor, detail));
        return state with { Status = status, UpdatedAt = now };
    }

    private static string Name(OversightStatus status) => status switch
    {
        OversightStatus.InProgress => "in_progress",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static string Describe(TaskEvent evt, OversightTaskState state) => evt switch
    {
        TaskEvent.Ack e when state.Status == OversightStatus.Assigned => $"ack by {e.Actor} (assigned to {state.Assignee})",
        _ => evt.GetType().Name.ToLowerInvariant(),
    };
}
