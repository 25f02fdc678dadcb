using Shouldly;
using Warden.Core.Guardrails.CircuitBreaker;
using Xunit;

namespace Warden.Core.Tests.Guardrails.CircuitBreaker;

public class CircuitBreakerTransitionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CircuitBreakerOptions Options = CircuitBreakerOptions.Default;
    private static readonly TimeSpan Break = Options.BreakDuration;

    private static (CircuitBreakerState State, BreakerDecision Decision) Apply(CircuitBreakerState state, BreakerOperation operation, DateTimeOffset now) =>
        CircuitBreakerTransitions.Apply(state, operation, now, Options);

    /// <summary>Applies the operations one second apart starting at <paramref name="start"/>.</summary>
    private static (CircuitBreakerState State, BreakerDecision Decision) ApplyAll(CircuitBreakerState state, DateTimeOffset start, params BreakerOperation[] operations)
    {
        BreakerDecision decision = default;
        for (var i = 0; i < operations.Length; i++)
        {
            (state, decision) = Apply(state, operations[i], start.AddSeconds(i));
        }

        return (state, decision);
    }

    private static CircuitBreakerState Failures(int count) =>
        ApplyAll(CircuitBreakerState.Closed, T0, Enumerable.Repeat(BreakerOperation.Failure, count).ToArray()).State;

    /// <summary>Opened by five failures at T0 .. T0+4s.</summary>
    private static CircuitBreakerState OpenedAt(out DateTimeOffset openedAt)
    {
        var state = Failures(Options.FailureThreshold);
        openedAt = state.OpenedAt!.Value;
        return state;
    }

    /// <summary>Opened, then moved to half-open by a check once the break has passed; the probe is in flight.</summary>
    private static CircuitBreakerState HalfOpenWithProbe(out DateTimeOffset probeStartedAt)
    {
        var open = OpenedAt(out var openedAt);
        probeStartedAt = openedAt + Break;
        return Apply(open, BreakerOperation.Check, probeStartedAt).State;
    }

    [Fact]
    public void Apply_CheckOnNewBreaker_AllowsAndStaysClosed()
    {
        // Act
        var (state, decision) = Apply(CircuitBreakerState.Closed, BreakerOperation.Check, T0);

        // Assert
        decision.ShouldBe(new BreakerDecision(true, BreakerStatus.Closed, null));
        state.Status.ShouldBe(BreakerStatus.Closed);
    }

    [Fact]
    public void Apply_FourConsecutiveFailures_StaysClosed()
    {
        // Act
        var (state, decision) = ApplyAll(CircuitBreakerState.Closed, T0, Enumerable.Repeat(BreakerOperation.Failure, 4).ToArray());

        // Assert
        decision.Allowed.ShouldBeTrue();
        state.Status.ShouldBe(BreakerStatus.Closed);
        state.ConsecutiveFailures.ShouldBe(4);
    }

    [Fact]
    public void Apply_FifthConsecutiveFailure_OpensBreaker()
    {
        // Arrange
        var state = Failures(4);
        var now = T0.AddSeconds(4);

        // Act
        var (next, decision) = Apply(state, BreakerOperation.Failure, now);

        // Assert
        next.Status.ShouldBe(BreakerStatus.Open);
        next.OpenedAt.ShouldBe(now);
        decision.ShouldBe(new BreakerDecision(false, BreakerStatus.Open, Break));
    }

    [Fact]
    public void Apply_SuccessBetweenFailures_ResetsConsecutiveCount()
    {
        // Arrange
        var state = Failures(4);

        // Act
        var (next, _) = ApplyAll(state, T0.AddSeconds(4), BreakerOperation.Success, BreakerOperation.Failure, BreakerOperation.Failure, BreakerOperation.Failure, BreakerOperation.Failure);

        // Assert
        next.Status.ShouldBe(BreakerStatus.Closed);
        next.ConsecutiveFailures.ShouldBe(4);
    }

    [Fact]
    public void Apply_CustomFailureThreshold_OpensAtThatCount()
    {
        // Arrange
        var options = Options with { FailureThreshold = 2 };
        var (state, _) = CircuitBreakerTransitions.Apply(CircuitBreakerState.Closed, BreakerOperation.Failure, T0, options);

        // Act
        var (next, _) = CircuitBreakerTransitions.Apply(state, BreakerOperation.Failure, T0.AddSeconds(1), options);

        // Assert
        next.Status.ShouldBe(BreakerStatus.Open);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15_000)]
    [InlineData(29_999)]
    public void Apply_CheckWhileOpenBeforeBreakEnds_RefusesWithRemainingBreak(int msAfterOpening)
    {
        // Arrange
        var state = OpenedAt(out var openedAt);
        var now = openedAt.AddMilliseconds(msAfterOpening);

        // Act
        var (next, decision) = Apply(state, BreakerOperation.Check, now);

        // Assert
        decision.Allowed.ShouldBeFalse();
        decision.Status.ShouldBe(BreakerStatus.Open);
        decision.RetryAfter.ShouldBe(Break - TimeSpan.FromMilliseconds(msAfterOpening));
        next.ShouldBe(state);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(31)]
    [InlineData(3_600)]
    public void Apply_CheckOnceBreakHasPassed_MovesToHalfOpenAndAllowsProbe(int secondsAfterOpening)
    {
        // Arrange
        var state = OpenedAt(out var openedAt);
        var now = openedAt.AddSeconds(secondsAfterOpening);

        // Act
        var (next, decision) = Apply(state, BreakerOperation.Check, now);

        // Assert
        decision.ShouldBe(new BreakerDecision(true, BreakerStatus.HalfOpen, null));
        next.Status.ShouldBe(BreakerStatus.HalfOpen);
        next.ProbeStartedAt.ShouldBe(now);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(29_999)]
    public void Apply_SecondCheckWhileProbeInFlight_Refuses(int msAfterProbe)
    {
        // Arrange
        var state = HalfOpenWithProbe(out var probeStartedAt);

        // Act
        var (next, decision) = Apply(state, BreakerOperation.Check, probeStartedAt.AddMilliseconds(msAfterProbe));

        // Assert
        decision.Allowed.ShouldBeFalse();
        decision.Status.ShouldBe(BreakerStatus.HalfOpen);
        decision.RetryAfter.ShouldBe(Break - TimeSpan.FromMilliseconds(msAfterProbe));
        next.Status.ShouldBe(BreakerStatus.HalfOpen);
        next.ProbeStartedAt.ShouldBe(probeStartedAt);
    }

    [Fact]
    public void Apply_HalfOpenChecksInARow_AllowExactlyOneProbe()
    {
        // Arrange
        var state = OpenedAt(out var openedAt);
        var start = openedAt + Break;

        // Act
        var allowed = 0;
        for (var i = 0; i < 10; i++)
        {
            (state, var decision) = Apply(state, BreakerOperation.Check, start.AddSeconds(i));
            allowed += decision.Allowed ? 1 : 0;
        }

        // Assert
        allowed.ShouldBe(1);
        state.Status.ShouldBe(BreakerStatus.HalfOpen);
    }

    [Fact]
    public void Apply_ProbeNeverReports_FreesSlotAfterABreak()
    {
        // Arrange
        var state = HalfOpenWithProbe(out var probeStartedAt);
        var now = probeStartedAt + Break;

        // Act
        var (next, decision) = Apply(state, BreakerOperation.Check, now);

        // Assert
        decision.ShouldBe(new BreakerDecision(true, BreakerStatus.HalfOpen, null));
        next.ProbeStartedAt.ShouldBe(now);
    }

    [Fact]
    public void Apply_ProbeSucceeds_ClosesBreakerWithFreshCounts()
    {
        // Arrange
        var state = HalfOpenWithProbe(out var probeStartedAt);
        var now = probeStartedAt.AddSeconds(2);

        // Act
        var (next, decision) = Apply(state, BreakerOperation.Success, now);

        // Assert
        decision.ShouldBe(new BreakerDecision(true, BreakerStatus.Closed, null));
        next.ShouldBe(CircuitBreakerState.Closed with { WindowStart = now });
    }

    [Fact]
    public void Apply_ProbeFails_ReopensBreakerForAFullBreak()
    {
        // Arrange
        var state = HalfOpenWithProbe(out var probeStartedAt);
        var now = probeStartedAt.AddSeconds(2);

        // Act
        var (next, decision) = Apply(state, BreakerOperation.Failure, now);
        var (_, check) = Apply(next, BreakerOperation.Check, now + Break - TimeSpan.FromTicks(1));

        // Assert
        decision.ShouldBe(new BreakerDecision(false, BreakerStatus.Open, Break));
        next.Status.ShouldBe(BreakerStatus.Open);
        next.OpenedAt.ShouldBe(now);
        next.ProbeStartedAt.ShouldBeNull();
        check.Allowed.ShouldBeFalse();
    }

    [Fact]
    public void Apply_LateSuccessWhileOpen_KeepsBreakerOpenUntilBreakEnds()
    {
        // Arrange: a call let through before the breaker opened reports success during the break.
        var state = OpenedAt(out var openedAt);
        var now = openedAt.AddSeconds(5);

        // Act
        var (next, _) = Apply(state, BreakerOperation.Success, now);
        var (_, check) = Apply(next, BreakerOperation.Check, now.AddSeconds(1));

        // Assert
        next.Status.ShouldBe(BreakerStatus.Open);
        next.OpenedAt.ShouldBe(openedAt);
        check.Allowed.ShouldBeFalse();
        check.RetryAfter.ShouldBe(Break - TimeSpan.FromSeconds(6));
    }

    [Fact]
    public void Apply_FailureRatioReachedAtMinimumThroughput_OpensBreaker()
    {
        // Arrange: alternating outcomes never reach five consecutive failures; the tenth call makes 5 of 10.
        var operations = Enumerable.Range(0, 9).Select(i => i % 2 == 0 ? BreakerOperation.Success : BreakerOperation.Failure).ToArray();
        var (state, _) = ApplyAll(CircuitBreakerState.Closed, T0, operations);
        state.Status.ShouldBe(BreakerStatus.Closed);

        // Act
        var (next, decision) = Apply(state, BreakerOperation.Failure, T0.AddSeconds(9));

        // Assert
        next.Status.ShouldBe(BreakerStatus.Open);
        next.WindowCalls.ShouldBe(10);
        next.WindowFailures.ShouldBe(5);
        decision.Allowed.ShouldBeFalse();
    }

    [Fact]
    public void Apply_FailureRatioBelowMinimumThroughput_StaysClosed()
    {
        // Arrange: 5 failures in 9 calls is over the ratio, but fewer calls than the minimum throughput.
        var operations = Enumerable.Range(0, 8).Select(i => i % 2 == 0 ? BreakerOperation.Failure : BreakerOperation.Success).ToArray();
        var (state, _) = ApplyAll(CircuitBreakerState.Closed, T0, operations);

        // Act
        var (next, decision) = Apply(state, BreakerOperation.Failure, T0.AddSeconds(8));

        // Assert
        next.Status.ShouldBe(BreakerStatus.Closed);
        next.WindowFailures.ShouldBe(5);
        next.WindowCalls.ShouldBe(9);
        decision.Allowed.ShouldBeTrue();
    }

    [Theory]
    [InlineData(59, BreakerStatus.Open)]
    [InlineData(60, BreakerStatus.Closed)]
    [InlineData(600, BreakerStatus.Closed)]
    public void Apply_TenthCallAfterWindowMayHaveRolled_CountsOnlyTheCurrentWindow(int secondsAfterFirstCall, BreakerStatus expected)
    {
        // Arrange: 4 failures in 9 calls, the first at T0 (which starts the window).
        var operations = Enumerable.Range(0, 9).Select(i => i % 2 == 0 ? BreakerOperation.Success : BreakerOperation.Failure).ToArray();
        var (state, _) = ApplyAll(CircuitBreakerState.Closed, T0, operations);

        // Act
        var (next, _) = Apply(state, BreakerOperation.Failure, T0.AddSeconds(secondsAfterFirstCall));

        // Assert
        next.Status.ShouldBe(expected);
    }

    [Fact]
    public void Apply_CallAfterSamplingWindow_StartsNewWindowAtThatCall()
    {
        // Arrange
        var (state, _) = ApplyAll(CircuitBreakerState.Closed, T0, BreakerOperation.Failure, BreakerOperation.Success, BreakerOperation.Failure);
        var now = T0.AddMinutes(5);

        // Act
        var (next, _) = Apply(state, BreakerOperation.Failure, now);

        // Assert
        next.WindowStart.ShouldBe(now);
        next.WindowCalls.ShouldBe(1);
        next.WindowFailures.ShouldBe(1);
        next.ConsecutiveFailures.ShouldBe(2);
    }

    [Theory]
    [InlineData(BreakerStatus.Closed)]
    [InlineData(BreakerStatus.Open)]
    [InlineData(BreakerStatus.HalfOpen)]
    public void Apply_Reset_ClosesBreakerWithFreshCounts(BreakerStatus from)
    {
        // Arrange
        var state = from switch
        {
            BreakerStatus.Open => OpenedAt(out _),
            BreakerStatus.HalfOpen => HalfOpenWithProbe(out _),
            _ => Failures(3),
        };
        var now = T0.AddSeconds(40);

        // Act
        var (next, decision) = Apply(state, BreakerOperation.Reset, now);
        var (_, check) = Apply(next, BreakerOperation.Check, now);

        // Assert
        next.ShouldBe(CircuitBreakerState.Closed with { WindowStart = now });
        decision.Allowed.ShouldBeTrue();
        check.Allowed.ShouldBeTrue();
    }

    /// <summary>
    /// The transition table. Open was entered at T0+4s (break ends at T0+34s); half-open's probe started at T0+34s
    /// (its slot frees at T0+64s). Offsets are seconds after T0.
    /// </summary>
    [Theory]
    [InlineData(BreakerStatus.Closed, BreakerOperation.Check, 10, true, BreakerStatus.Closed)]
    [InlineData(BreakerStatus.Closed, BreakerOperation.Success, 10, true, BreakerStatus.Closed)]
    [InlineData(BreakerStatus.Closed, BreakerOperation.Failure, 10, true, BreakerStatus.Closed)]
    [InlineData(BreakerStatus.Closed, BreakerOperation.Reset, 10, true, BreakerStatus.Closed)]
    [InlineData(BreakerStatus.Open, BreakerOperation.Check, 20, false, BreakerStatus.Open)]
    [InlineData(BreakerStatus.Open, BreakerOperation.Check, 34, true, BreakerStatus.HalfOpen)]
    [InlineData(BreakerStatus.Open, BreakerOperation.Success, 20, false, BreakerStatus.Open)]
    [InlineData(BreakerStatus.Open, BreakerOperation.Failure, 20, false, BreakerStatus.Open)]
    [InlineData(BreakerStatus.Open, BreakerOperation.Reset, 20, true, BreakerStatus.Closed)]
    [InlineData(BreakerStatus.HalfOpen, BreakerOperation.Check, 40, false, BreakerStatus.HalfOpen)]
    [InlineData(BreakerStatus.HalfOpen, BreakerOperation.Check, 64, true, BreakerStatus.HalfOpen)]
    [InlineData(BreakerStatus.HalfOpen, BreakerOperation.Success, 40, true, BreakerStatus.Closed)]
    [InlineData(BreakerStatus.HalfOpen, BreakerOperation.Failure, 40, false, BreakerStatus.Open)]
    [InlineData(BreakerStatus.HalfOpen, BreakerOperation.Reset, 40, true, BreakerStatus.Closed)]
    public void Apply_TransitionTable_MatchesRow(BreakerStatus from, BreakerOperation operation, int secondsAfterT0, bool allowed, BreakerStatus to)
    {
        // Arrange
        var state = from switch
        {
            BreakerStatus.Open => OpenedAt(out _),
            BreakerStatus.HalfOpen => HalfOpenWithProbe(out _),
            _ => Failures(1),
        };

        // Act
        var (next, decision) = Apply(state, operation, T0.AddSeconds(secondsAfterT0));

        // Assert
        decision.Allowed.ShouldBe(allowed);
        decision.Status.ShouldBe(to);
        next.Status.ShouldBe(to);
        (decision.RetryAfter is null).ShouldBe(allowed);
    }

    [Fact]
    public void Apply_UnknownOperation_Throws()
    {
        // Act + Assert
        Should.Throw<ArgumentOutOfRangeException>(() => Apply(CircuitBreakerState.Closed, (BreakerOperation)42, T0));
    }
}
