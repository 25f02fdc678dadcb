namespace Warden.Core.Oversight.Tasks;

public enum OversightStatus
{
    Queued,
    Assigned,
    Acked,
    InProgress,
    Completed,
    Verified,
    Escalated,
    Cancelled,
}

/// <summary>How long an assignee has to acknowledge, and how often a task is handed out again before it escalates.</summary>
public sealed record TaskOptions(TimeSpan AckTimeout, int MaxRetries)
{
    /// <summary>TASK_ACK_TIMEOUT_SECONDS (30) and TASK_MAX_RETRIES (3).</summary>
    public static TaskOptions Default { get; } = new(TimeSpan.FromSeconds(30), 3);
}

/// <summary>
/// One oversight task. Wire contract: stored as JSON by the embedded engine; additive changes only.
/// <see cref="Retries"/> counts hand-outs after the first (ack timeouts and failures both count).
/// </summary>
public sealed record OversightTaskState(
    string Id,
    string TenantId,
    string Title,
    OversightStatus Status,
    string? Assignee,
    int Retries,
    int MaxRetries,
    TimeSpan AckTimeout,
    string? RunId,
    string? Result,
    string? LastError,
    string? EscalationReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public bool IsFinished => Status is OversightStatus.Verified or OversightStatus.Cancelled;
}
