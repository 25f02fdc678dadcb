using Warden.Core.Runs;
using Warden.Runtime.Guardrails;

namespace Warden.Functions.Runs;

// The Durable host's wire contracts: orchestration input and output, activity results and signal payloads.
// The Functions worker serializes them with its ObjectSerializer (System.Text.Json, default options) into the task
// hub's history, so changes are additive only, and changing the worker's serializer settings would break every
// orchestration in flight. A payload's root is never a polymorphic base type: the worker serializes a value as its
// runtime type, which writes no type discriminator, so a RunEvent travels inside a NodeResult.

/// <summary>What <see cref="RunGraph"/> starts from: the run, its graph version's source and the admission settings of its start.</summary>
/// <param name="DecisionsPerExecution">Decisions one orchestration execution applies before it continues as new with the state.</param>
/// <param name="CarryOver">Set when an execution continues as new; null on the run's first execution.</param>
/// <param name="RecordHistory">Each decision's projection carries the event it applied, so the run can be exact-replayed and
/// exported as a recording. Null (and absent from the JSON) for orchestrations started before, so they replay unchanged.</param>
public sealed record RunGraphInput(
    RunStart Start,
    string GraphSource,
    AdmissionPolicy Policy,
    int DecisionsPerExecution = RunGraph.DefaultDecisionsPerExecution,
    RunCarryOver? CarryOver = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? RecordHistory = null)
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
}

/// <summary>What one execution hands the next when it continues as new. It only does so with no step in flight.</summary>
/// <param name="Decisions">Decisions that changed the run so far: the run row's version in the store.</param>
/// <param name="Events">Timeline entries written so far: the next entry's sequence number is one more.</param>
/// <param name="Dispatch">Steps the last decisions started but this execution left to the next one to schedule (a run
/// with a step always in flight, such as a chain, could otherwise never continue as new). Added in schema 1; null before.</param>
public sealed record RunCarryOver(RunState State, long Decisions, long Events, IReadOnlyList<PendingTimer> Timers, IReadOnlyList<NodeInvocation>? Dispatch = null);

public sealed record PendingTimer(string Tag, DateTimeOffset Due);

/// <summary>The orchestration's output (also in the store's run row, which is what the API reads).</summary>
public sealed record RunResult(string RunId, RunStatus Status, string? Output, string? Error, string? ErrorCode);

/// <summary>The activity result of one attempt: a NodeSucceeded or NodeFailed.</summary>
public sealed record NodeResult(RunEvent Event);
