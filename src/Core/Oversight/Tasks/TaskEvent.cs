namespace Warden.Core.Oversight.Tasks;

/// <summary>Something that happens to a task: a person or agent acting on it, or its ack timer firing.</summary>
public abstract record TaskEvent
{
    public sealed record Assign(string Actor, string Assignee) : TaskEvent;

    public sealed record Ack(string Actor) : TaskEvent;

    public sealed record Start(string Actor) : TaskEvent;

    public sealed record Complete(string Actor, string? Result) : TaskEvent;

    public sealed record Fail(string Actor, string Error) : TaskEvent;

    public sealed record Verify(string Actor) : TaskEvent;

    /// <summary>A reviewer sets the status outright, with a reason (recorded).</summary>
    public sealed record Override(string Actor, OversightStatus Status, string Reason) : TaskEvent;

    public sealed record Escalate(string Actor, string Reason) : TaskEvent;

    /// <summary>A reviewer resolves an escalation: hand it to someone (assignee) or close it (null).</summary>
    public sealed record Resolve(string Actor, string? Assignee, string Resolution) : TaskEvent;

    public sealed record TimerFired(string Tag) : TaskEvent;
}

/// <summary>What the host must do after a transition.</summary>
public abstract record TaskCommand
{
    public sealed record StartTimer(string Tag, DateTimeOffset Due) : TaskCommand;

    public sealed record CancelTimer(string Tag) : TaskCommand;

    /// <summary>A line for the tenant's oversight stream and audit trail.</summary>
    public sealed record Record(string Type, string Actor, string Detail) : TaskCommand;
}

public sealed record TaskDecision(OversightTaskState State, IReadOnlyList<TaskCommand> Commands);

/// <summary>A transition the task's current status does not allow; hosts answer 409.</summary>
public sealed class InvalidTaskTransitionException : Exception
{
    public InvalidTaskTransitionException(string message)
        : base(message)
    {
    }

    public InvalidTaskTransitionException()
    {
    }

    public InvalidTaskTransitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
