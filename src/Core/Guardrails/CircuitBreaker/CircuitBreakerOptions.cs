namespace Warden.Core.Guardrails.CircuitBreaker;

/// <summary>When a provider's breaker opens and how long it stays open.</summary>
public sealed record CircuitBreakerOptions
{
    public static CircuitBreakerOptions Default { get; } = new();

    /// <summary>Consecutive failures that open the breaker.</summary>
    public int FailureThreshold { get; init; } = 5;

    /// <summary>Failure share over the sampling window that opens the breaker (once <see cref="MinimumThroughput"/> calls are seen).</summary>
    public double FailureRatio { get; init; } = 0.5;

    public int MinimumThroughput { get; init; } = 10;

    public TimeSpan SamplingWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an open breaker rejects calls before it lets one probe through.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);
}
