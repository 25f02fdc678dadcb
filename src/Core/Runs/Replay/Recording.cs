using Warden.Core.Costs;

namespace Warden.Core.Runs.Replay;

/// <summary>
/// A run as a recording: how it started, every provider and tool response it received, and (when the host kept them)
/// the decider's input events in the order they were applied. Exported as a file (<c>warden runs export</c>), uploaded
/// to another deployment, replayed against another graph version. Wire contract (a file format and a stored
/// document): changes are additive only, and <see cref="SchemaVersion"/> says which fields a reader may expect.
/// </summary>
/// <param name="Options">The source run's own options (mocks, tags); never its replay settings.</param>
/// <param name="Calls">Successful attempts, one per (node, visit, attempt), in the order the run received them.</param>
/// <param name="Events">The decider's inputs after its start, for exact replay; null when the host did not keep them.</param>
public sealed record Recording(
    string SourceRunId,
    string GraphId,
    int GraphVersion,
    string Input,
    long Seed,
    DateTimeOffset StartedAt,
    IReadOnlyList<RecordedCall> Calls,
    RunOptions? Options = null,
    IReadOnlyList<RecordedEvent>? Events = null,
    RunStatus? Status = null,
    string? Output = null)
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
}

/// <summary>One response a run received: what answered which node, for which prompt (hashed with <see cref="PromptKey"/>).</summary>
/// <param name="Prompt">The prompt as rendered (before redaction), kept so a miss can be explained; may be left out of a file.</param>
public sealed record RecordedCall(
    string Node,
    int Visit,
    int Attempt,
    string PromptHash,
    string Output,
    string Provider,
    string Model,
    Usage Usage,
    string? Prompt = null);

/// <summary>One input the decider applied, at the time it applied it.</summary>
public sealed record RecordedEvent(DateTimeOffset At, RunEvent Event);
