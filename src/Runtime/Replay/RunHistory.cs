using Warden.Core.Runs;
using Warden.Core.Runs.Replay;

namespace Warden.Runtime.Replay;

/// <summary>The kinds of a run's recorded decider inputs (column <c>kind</c> of <c>run_inputs</c>).</summary>
public static class RunInputKinds
{
    /// <summary>The payload is the <see cref="RunStart"/> the run began with.</summary>
    public const string Start = "start";

    /// <summary>The payload is a <see cref="RunEvent"/> the decider applied.</summary>
    public const string Event = "event";
}

/// <summary>What a run's decider was given: its start, at the start's time, and each event it applied, in order.</summary>
public sealed record RunHistory(RunStart Start, DateTimeOffset StartedAt, IReadOnlyList<RecordedEvent> Events);

/// <summary>The recorded decider inputs of runs, per tenant (another tenant's run reads as missing).</summary>
public interface IRunHistoryStore
{
    /// <summary>Null when the run is not the tenant's or its host kept no inputs for it (a run older than recording).</summary>
    Task<RunHistory?> LoadAsync(string tenantId, string runId, CancellationToken ct = default);
}

/// <summary>Recordings uploaded from files or taken from runs, per tenant, under the hash of their content.</summary>
public interface IRecordingStore
{
    /// <summary>Stores the recording unless the tenant already has it; returns its id and whether it is new.</summary>
    Task<(string Id, bool Created)> SaveAsync(string tenantId, Recording recording, CancellationToken ct = default);

    Task<Recording?> GetAsync(string tenantId, string recordingId, CancellationToken ct = default);
}
