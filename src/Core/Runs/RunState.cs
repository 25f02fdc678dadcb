using Warden.Core.Costs;

namespace Warden.Core.Runs;

public enum RunStatus
{
    Running,
    Paused,
    Completed,
    Failed,
    Stopped,
}

public enum NodeStatus
{
    /// <summary>Not reached yet (or reset by a loop).</summary>
    Pending,

    /// <summary>Due to run, held back because the run is paused.</summary>
    Ready,

    /// <summary>Waiting for the guardrails to admit the attempt (budget, rate limit, breakers).</summary>
    Admitting,
    Running,
    WaitingRetry,
    WaitingApproval,
    Succeeded,
    Failed,
    Skipped,
    Cancelled,
}

public static class RunStatusExtensions
{
    public static bool IsTerminal(this RunStatus status) => status is RunStatus.Completed or RunStatus.Failed or RunStatus.Stopped;

    public static bool IsResolved(this NodeStatus status) =>
        status is NodeStatus.Succeeded or NodeStatus.Failed or NodeStatus.Skipped or NodeStatus.Cancelled;

    public static bool IsActive(this NodeStatus status) =>
        status is NodeStatus.Ready or NodeStatus.Admitting or NodeStatus.Running or NodeStatus.WaitingRetry or NodeStatus.WaitingApproval;
}

/// <summary>
/// The persisted state of one run. Wire contract: it is stored as JSON by both engines, so changes must be
/// additive (new optional members) and <see cref="SchemaVersion"/> bumps when meaning changes. Renaming a
/// member or changing the serializer's naming policy would break runs that are in flight.
/// </summary>
public sealed class RunState
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; set; } = CurrentSchemaVersion;

    public string RunId { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    public string GraphId { get; set; } = string.Empty;

    public int GraphVersion { get; set; }

    /// <summary>The release snapshot the run runs (its graph version and frozen catalogue); null for runs before releases.</summary>
    public string? SnapshotId { get; set; }

    public long Seed { get; set; }

    public string Input { get; set; } = "null";

    public RunStatus Status { get; set; }

    public string? Output { get; set; }

    public string? Error { get; set; }

    /// <summary>A stable code for why the run failed, when there is one (e.g. BUDGET_EXCEEDED).</summary>
    public string? ErrorCode { get; set; }

    public Usage Usage { get; set; } = Usage.Zero;

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public Dictionary<string, NodeState> Nodes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Mocks, chaos, replay and tags the run was started with; null for a plain run.</summary>
    public RunOptions? Options { get; set; }

    /// <summary>How often each loop edge ("from->to") has been taken.</summary>
    public Dictionary<string, int> LoopTraversals { get; set; } = new(StringComparer.Ordinal);

    public RunState Clone()
    {
        var copy = (RunState)MemberwiseClone();
        copy.Nodes = new Dictionary<string, NodeState>(Nodes.Count, StringComparer.Ordinal);
        foreach (var (id, node) in Nodes)
        {
            copy.Nodes[id] = node.Clone();
        }

        copy.LoopTraversals = new Dictionary<string, int>(LoopTraversals, StringComparer.Ordinal);
        return copy;
    }
}

public sealed class NodeState
{
    public NodeStatus Status { get; set; }

    /// <summary>How many times the node has been activated (loops activate it again); 0 before the first.</summary>
    public int Visit { get; set; }

    /// <summary>The latest attempt within the current visit; 0 before the first.</summary>
    public int Attempt { get; set; }

    public string? Output { get; set; }

    public string? Error { get; set; }

    public string? Provider { get; set; }

    public string? Model { get; set; }

    public string? Region { get; set; }

    /// <summary>The provider calls of the latest attempt: who answered, and every failed try before it.</summary>
    public IReadOnlyList<ProviderCall>? Calls { get; set; }

    public string? ApprovalId { get; set; }

    public bool Escalated { get; set; }

    /// <summary>A stable code for why the node failed, when there is one (e.g. POLICY_DENIED).</summary>
    public string? ErrorCode { get; set; }

    public Usage Usage { get; set; } = Usage.Zero;

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public NodeState Clone() => (NodeState)MemberwiseClone();
}
