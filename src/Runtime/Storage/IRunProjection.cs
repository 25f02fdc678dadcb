using Warden.Core.Runs;

namespace Warden.Runtime.Storage;

/// <summary>
/// The write side of runs for an engine that keeps its state elsewhere (the Durable orchestrator keeps it in
/// its task hub): each decision is projected into the rows the API reads, the same rows the embedded engine
/// writes. Every write is idempotent, because the activities that make them run at least once.
/// </summary>
public interface IRunProjection
{
    /// <summary>The run's row before its first decision, so the run can be read as soon as it is accepted.</summary>
    Task CreateRunAsync(RunStart start, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Writes one decision: its timeline, approvals and the run's new state, unless a later decision is already written.</summary>
    Task ApplyAsync(RunProjectionUpdate update, CancellationToken ct = default);

    /// <summary>One usage row per provider call of an attempt, keyed by run/node/visit/attempt/call so a repeat counts once.</summary>
    Task RecordUsageAsync(NodeInvocation invocation, IReadOnlyList<ProviderCall> calls, DateTimeOffset at, CancellationToken ct = default);
}

/// <summary>
/// One decision as the API sees it. Wire contract (a Durable activity input): additive changes only.
/// </summary>
/// <param name="State">The run after the decision; its UpdatedAt is the decision's time.</param>
/// <param name="Version">How many decisions changed the run so far; an older or repeated version leaves the row alone.</param>
/// <param name="EventsBefore">Timeline entries written before this decision; its entries are numbered from EventsBefore + 1.</param>
/// <param name="Commands">The decision's AppendTimeline, RequestApproval, CloseApproval, EscalateApproval and FinishRun commands.</param>
/// <param name="Input">The event the decision applied, at the decision's time, kept as the run's history (its recording).
/// Null for the start decision and for orchestrations started before histories were kept; left out of the JSON when null,
/// so the activity inputs of those orchestrations replay unchanged.</param>
public sealed record RunProjectionUpdate(
    RunState State,
    long Version,
    long EventsBefore,
    IReadOnlyList<RunCommand> Commands,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] Core.Runs.Replay.RecordedEvent? Input = null);
