namespace Warden.Core.Guardrails.CircuitBreaker;

/// <summary>
/// closed → open after N consecutive failures or a failure ratio over the window → half-open after the break
/// → closed on a successful probe (or open again on a failed one). Pure: time is passed in.
/// </summary>
public static class CircuitBreakerTransitions
{
    public static (CircuitBreakerState State, BreakerDecision Decision) Apply(
        CircuitBreakerState state, BreakerOperation operation, DateTimeOffset now, CircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        state = RollWindow(state, now, options);
        return operation switch
        {
            BreakerOperation.Check => Check(state, now, options),
            BreakerOperation.Success => Success(state, now, options),
            BreakerOperation.Failure => Failure(state, now, options),
            BreakerOperation.Reset => Allowed(CircuitBreakerState.Closed with { WindowStart = now }),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "unknown breaker operation"),
        };
    }

    private static (CircuitBreakerState, BreakerDecision) Check(CircuitBreakerState state, DateTimeOffset now, CircuitBreakerOptions options)
    {
        switch (state.Status)
        {
            case BreakerStatus.Closed:
                return Allowed(state);
            case BreakerStatus.Open when now >= state.OpenedAt + options.BreakDuration:
                return Allowed(state with { Status = BreakerStatus.HalfOpen, ProbeStartedAt = now });
            case BreakerStatus.Open:
                return Refused(state, state.OpenedAt!.Value + options.BreakDuration - now);
            default:
                // Half-open lets one probe through; a probe that never reports frees the slot after a break.
                var probeFree = state.ProbeStartedAt is null || now >= state.ProbeStartedAt + options.BreakDuration;
                return probeFree
                    ? Allowed(state with { ProbeStartedAt = now })
                    : Refused(state, state.ProbeStartedAt!.Value + options.BreakDuration - now);
        }
    }

    private static (CircuitBreakerState, BreakerDecision) Success(CircuitBreakerState state, DateTimeOffset now, CircuitBreakerOptions options) =>
        state.Status switch
        {
            BreakerStatus.Closed => Allowed(state with { ConsecutiveFailures = 0, WindowCalls = state.WindowCalls + 1 }),

            // A call let through before the breaker opened reports late: only a probe's success closes the breaker.
            BreakerStatus.Open => Refused(state, Later(state.OpenedAt!.Value + options.BreakDuration - now, TimeSpan.Zero)),
            _ => Allowed(CircuitBreakerState.Closed with { WindowStart = now }),
        };

    private static (CircuitBreakerState, BreakerDecision) Failure(CircuitBreakerState state, DateTimeOffset now, CircuitBreakerOptions options)
    {
        if (state.Status != BreakerStatus.Closed)
        {
            return Opened(state, now, options);
        }

        var next = state with
        {
            ConsecutiveFailures = state.ConsecutiveFailures + 1,
            WindowCalls = state.WindowCalls + 1,
            WindowFailures = state.WindowFailures + 1,
        };
        var ratioTripped = next.WindowCalls >= options.MinimumThroughput && next.WindowFailures >= options.FailureRatio * next.WindowCalls;
        return next.ConsecutiveFailures >= options.FailureThreshold || ratioTripped ? Opened(next, now, options) : Allowed(next);
    }

    private static (CircuitBreakerState, BreakerDecision) Opened(CircuitBreakerState state, DateTimeOffset now, CircuitBreakerOptions options) =>
        Refused(state with { Status = BreakerStatus.Open, OpenedAt = now, ProbeStartedAt = null }, options.BreakDuration);

    private static CircuitBreakerState RollWindow(CircuitBreakerState state, DateTimeOffset now, CircuitBreakerOptions options) =>
        now - state.WindowStart >= options.SamplingWindow ? state with { WindowStart = now, WindowCalls = 0, WindowFailures = 0 } : state;

    private static TimeSpan Later(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static (CircuitBreakerState, BreakerDecision) Allowed(CircuitBreakerState state) =>
        (state, new BreakerDecision(true, state.Status, null));

    private static (CircuitBreakerState, BreakerDecision) Refused(CircuitBreakerState state, TimeSpan retryAfter) =>
        (state, new BreakerDecision(false, state.Status, retryAfter));
}
