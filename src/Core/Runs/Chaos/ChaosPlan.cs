namespace Warden.Core.Runs.Chaos;

/// <summary>What chaos does to one call of a step: nothing, or the fault a real provider or tool would show.</summary>
public enum ChaosFault
{
    None,

    /// <summary>The provider answers 503 (retryable).</summary>
    ProviderError,

    /// <summary>The provider answers 429 with the run's Retry-After.</summary>
    RateLimited,

    /// <summary>The call never answers: the node's own timeout ends the attempt.</summary>
    Timeout,

    /// <summary>The tool answers 503 (retryable).</summary>
    ToolFailure,
}

/// <summary>
/// The fault decisions of a chaos run, as a pure function of its settings, seed and attempt key: the same run
/// (or a replay of it) draws the same faults on every host and after every restart. Each kind draws on its own
/// salt, so raising one rate never moves another kind's faults.
/// </summary>
public static class ChaosPlan
{
    /// <summary>The Retry-After a chaos 429 carries when the run does not name one.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    /// <param name="call">The call's number within the attempt (1 for the first; retries and fallbacks count on).</param>
    public static ChaosFault ForProviderCall(ChaosSettings? chaos, long seed, string nodeId, int visit, int attempt, int call)
    {
        if (chaos is null)
        {
            return ChaosFault.None;
        }

        // A timeout belongs to the attempt: its first call hangs until the node's timeout fires.
        if (call == 1 && Draws(chaos.TimeoutRate, seed, nodeId, visit, attempt, "chaos-timeout"))
        {
            return ChaosFault.Timeout;
        }

        if (Draws(chaos.ProviderErrorRate, seed, nodeId, visit, attempt, call, "chaos-error"))
        {
            return ChaosFault.ProviderError;
        }

        return Draws(chaos.RateLimitRate, seed, nodeId, visit, attempt, call, "chaos-429") ? ChaosFault.RateLimited : ChaosFault.None;
    }

    /// <summary>The fault injected into a tool step's attempt (tools make one call per attempt).</summary>
    public static ChaosFault ForToolCall(ChaosSettings? chaos, long seed, string nodeId, int visit, int attempt)
    {
        if (chaos is null)
        {
            return ChaosFault.None;
        }

        if (Draws(chaos.TimeoutRate, seed, nodeId, visit, attempt, "chaos-timeout"))
        {
            return ChaosFault.Timeout;
        }

        return Draws(chaos.ToolFailureRate, seed, nodeId, visit, attempt, "chaos-tool") ? ChaosFault.ToolFailure : ChaosFault.None;
    }

    public static TimeSpan RetryAfter(ChaosSettings chaos)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.RetryAfter ?? DefaultRetryAfter;
    }

    /// <summary>The latency added before each attempt's first call (zero without chaos).</summary>
    public static TimeSpan AddedLatency(ChaosSettings? chaos) =>
        chaos is { AddedLatencyMs: > 0 } ? TimeSpan.FromMilliseconds(chaos.AddedLatencyMs) : TimeSpan.Zero;

    /// <summary>Whether the run's provider calls may fail by chaos, so a retry within the attempt can help.</summary>
    public static bool FaultsProviderCalls(ChaosSettings? chaos) => chaos is not null && (chaos.ProviderErrorRate > 0 || chaos.RateLimitRate > 0);

    /// <summary>Whether the engine is due to be killed now that the run has <paramref name="completedSteps"/> completed steps.</summary>
    public static bool CrashDue(ChaosSettings? chaos, int completedSteps) =>
        chaos?.CrashAfterSteps is { } k && completedSteps >= k;

    private static bool Draws(double rate, params object[] parts) =>
        rate > 0 && (rate >= 1 || StableHash.Unit(parts) < rate);
}
