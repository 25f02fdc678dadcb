using Warden.Core.Graphs;

namespace Warden.Core.Runs;

/// <summary>
/// What one run asked for beyond its graph and input: per-node mock overrides, chaos, replay from a recording and
/// tags (a suite run names its case runs this way). Only the run that carries them sees them. Wire contract: it is
/// persisted inside <see cref="RunState"/> and <see cref="RunStart"/>, so changes must be additive.
/// </summary>
public sealed record RunOptions(
    IReadOnlyDictionary<string, MockSettings>? Mocks = null,
    ChaosSettings? Chaos = null,
    ReplaySettings? Replay = null,
    IReadOnlyDictionary<string, string>? Tags = null,
    ShadowSettings? Shadow = null,
    bool Ungoverned = false)
{
    public static RunOptions None { get; } = new();

    public bool IsEmpty => Mocks is not { Count: > 0 } && Chaos is null && Replay is null && Tags is not { Count: > 0 } && Shadow is null && !Ungoverned;

    /// <summary>The mock settings a node runs with: the run's override for that node, else the graph's own.</summary>
    public MockSettings MockFor(string nodeId, MockSettings graphMock) =>
        Mocks is not null && Mocks.TryGetValue(nodeId, out var mock) ? mock : graphMock;
}

/// <summary>
/// Faults a run asks to be injected into its own steps (never anyone else's): provider errors and 429s, added latency,
/// timeouts, tool failures, and a crash of the engine after the k-th completed step (hosts that can restart carry it out).
/// Rates are probabilities in [0,1], drawn from the run's seed and the attempt key so a replay draws the same faults.
/// </summary>
public sealed record ChaosSettings(
    double ProviderErrorRate = 0,
    double RateLimitRate = 0,
    TimeSpan? RetryAfter = null,
    int AddedLatencyMs = 0,
    double TimeoutRate = 0,
    double ToolFailureRate = 0,
    int? CrashAfterSteps = null);

public enum ReplayMissPolicy
{
    /// <summary>A call with no recorded response goes to the provider.</summary>
    Call,

    /// <summary>A call with no recorded response fails the attempt with REPLAY_MISS.</summary>
    Fail,
}

/// <summary>
/// The run is the shadow of <paramref name="PrimaryRunId"/>: it answers the same input with a candidate release, and its
/// write and external tools are not called but recorded as dry runs.
/// </summary>
public sealed record ShadowSettings(string PrimaryRunId);

/// <summary>Serve provider and tool responses from a recording (a stored run's calls) where (node, prompt) match.</summary>
public sealed record ReplaySettings(string RecordingId, ReplayMissPolicy OnMiss = ReplayMissPolicy.Call);
