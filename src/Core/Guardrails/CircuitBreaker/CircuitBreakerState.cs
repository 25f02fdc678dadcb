namespace Warden.Core.Guardrails.CircuitBreaker;

public enum BreakerStatus
{
    Closed,
    Open,
    HalfOpen,
}

/// <summary>
/// A breaker's persisted state (per provider and region). Wire contract: stored as JSON by the embedded
/// engine and held by a Durable entity on Azure; add members, never rename them.
/// </summary>
public readonly record struct CircuitBreakerState(
    BreakerStatus Status,
    int ConsecutiveFailures,
    DateTimeOffset WindowStart,
    int WindowCalls,
    int WindowFailures,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ProbeStartedAt)
{
    public static CircuitBreakerState Closed { get; } = new(BreakerStatus.Closed, 0, DateTimeOffset.MinValue, 0, 0, null, null);
}

public enum BreakerOperation
{
    /// <summary>May a call go through now? Moves an open breaker whose break has passed to half-open.</summary>
    Check,
    Success,
    Failure,

    /// <summary>An administrator closes the breaker.</summary>
    Reset,
}

/// <summary>The answer to an operation; <see cref="RetryAfter"/> is set when a call is refused.</summary>
public readonly record struct BreakerDecision(bool Allowed, BreakerStatus Status, TimeSpan? RetryAfter);
