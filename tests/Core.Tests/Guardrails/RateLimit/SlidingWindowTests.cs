using Shouldly;
using Warden.Core.Guardrails.RateLimit;
using Xunit;

namespace Warden.Core.Tests.Guardrails.RateLimit;

public class SlidingWindowTests
{
    /// <summary>A minute boundary, so T0 starts an aligned window.</summary>
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RateLimitOptions PerMinute = RateLimitOptions.PerMinute(100);

    private static (SlidingWindowState State, RateLimitDecision Decision) Acquire(SlidingWindowState state, DateTimeOffset now) =>
        SlidingWindow.TryAcquire(state, now, PerMinute);

    /// <summary>Acquires <paramref name="count"/> times at <paramref name="now"/> and says how many were admitted.</summary>
    private static (SlidingWindowState State, int Admitted) AcquireMany(SlidingWindowState state, DateTimeOffset now, int count)
    {
        var admitted = 0;
        for (var i = 0; i < count; i++)
        {
            (state, var decision) = Acquire(state, now);
            admitted += decision.Allowed ? 1 : 0;
        }

        return (state, admitted);
    }

    /// <summary>The full limit used in the first window, spread over its first 50 seconds.</summary>
    private static SlidingWindowState FirstWindowFull()
    {
        var state = SlidingWindowState.Empty;
        for (var i = 0; i < 100; i++)
        {
            (state, var decision) = Acquire(state, T0.AddMilliseconds(i * 500));
            decision.Allowed.ShouldBeTrue();
        }

        return state;
    }

    [Fact]
    public void TryAcquire_HundredInAMinute_AllowedWithRemainingCountingDownFrom99To0()
    {
        // Arrange
        var state = SlidingWindowState.Empty;
        var remaining = new List<int>();

        // Act
        for (var i = 0; i < 100; i++)
        {
            (state, var decision) = Acquire(state, T0.AddMilliseconds(i * 500));
            decision.Allowed.ShouldBeTrue();
            decision.Limit.ShouldBe(100);
            remaining.Add(decision.Remaining);
        }

        // Assert
        remaining.ShouldBe(Enumerable.Range(0, 100).Reverse());
    }

    [Fact]
    public void TryAcquire_101stInAMinute_RefusedWithRetryAfter()
    {
        // Arrange
        var state = FirstWindowFull();
        var now = T0.AddSeconds(50);

        // Act
        var (next, decision) = Acquire(state, now);

        // Assert
        decision.Allowed.ShouldBeFalse();
        decision.Limit.ShouldBe(100);
        decision.Remaining.ShouldBe(0);
        decision.ResetAt.ShouldBe(T0.AddMinutes(1));
        decision.RetryAfter.ShouldBeGreaterThan(TimeSpan.Zero);
        next.ShouldBe(state);
    }

    [Fact]
    public void TryAcquire_AtRetryAfterOfAFullWindow_IsAdmittedAndNotATickEarlier()
    {
        // Arrange: a full window is still weighed fully at the start of the next one, so capacity only returns
        // once 1/100 of it has slid out: 0.6 s into the next window.
        var state = FirstWindowFull();
        var now = T0.AddSeconds(50);
        var (_, refused) = Acquire(state, now);

        // Act
        var (_, early) = Acquire(state, now + refused.RetryAfter - TimeSpan.FromTicks(1));
        var (_, onTime) = Acquire(state, now + refused.RetryAfter);

        // Assert
        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(10.6));
        early.Allowed.ShouldBeFalse();
        onTime.Allowed.ShouldBeTrue();
    }

    [Fact]
    public void TryAcquire_RefusedWhilePreviousWindowStillWeighs_RetryAfterIsWhenEnoughHasSlidOut()
    {
        // Arrange: half way into the next window half the previous window still counts: 50 more fit.
        var (state, admitted) = AcquireMany(FirstWindowFull(), T0.AddSeconds(90), 50);
        admitted.ShouldBe(50);
        var now = T0.AddSeconds(90);

        // Act
        var (_, refused) = Acquire(state, now);
        var (_, early) = Acquire(state, now + refused.RetryAfter - TimeSpan.FromTicks(1));
        var (_, onTime) = Acquire(state, now + refused.RetryAfter);

        // Assert: 51 in use needs the previous 100 weighed at 0.49, i.e. 30.6 s into the window.
        refused.Allowed.ShouldBeFalse();
        refused.RetryAfter.ShouldBe(TimeSpan.FromMilliseconds(600));
        refused.ResetAt.ShouldBe(T0.AddMinutes(2));
        early.Allowed.ShouldBeFalse();
        onTime.Allowed.ShouldBeTrue();
    }

    [Fact]
    public void TryAcquire_Refused_DoesNotUseCapacity()
    {
        // Arrange
        var state = FirstWindowFull();

        // Act
        var (next, admitted) = AcquireMany(state, T0.AddSeconds(55), 20);

        // Assert
        admitted.ShouldBe(0);
        next.Current.ShouldBe(100);
    }

    [Theory]
    [InlineData(0, 60)]
    [InlineData(1, 60)]
    [InlineData(30_000, 60)]
    [InlineData(59_999, 60)]
    [InlineData(60_000, 120)]
    [InlineData(150_000, 180)]
    public void TryAcquire_AnyInstant_ResetAtIsTheWindowEnd(int msAfterT0, int expectedSecondsAfterT0)
    {
        // Act
        var (_, decision) = Acquire(SlidingWindowState.Empty, T0.AddMilliseconds(msAfterT0));

        // Assert
        decision.ResetAt.ShouldBe(T0.AddSeconds(expectedSecondsAfterT0));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(15, 25)]
    [InlineData(30, 50)]
    [InlineData(45, 75)]
    [InlineData(59, 98)]
    public void TryAcquire_PreviousWindowAgesOut_CapacityReturnsInProportion(int secondsIntoNextWindow, int expectedAdmitted)
    {
        // Arrange
        var state = FirstWindowFull();

        // Act
        var (_, admitted) = AcquireMany(state, T0.AddMinutes(1).AddSeconds(secondsIntoNextWindow), 200);

        // Assert
        admitted.ShouldBe(expectedAdmitted);
    }

    [Fact]
    public void TryAcquire_HalfWayIntoNextWindow_RemainingCountsPreviousWindowsWeight()
    {
        // Act
        var (_, decision) = Acquire(FirstWindowFull(), T0.AddSeconds(90));

        // Assert: 50 of the previous window still weigh, plus this one.
        decision.Allowed.ShouldBeTrue();
        decision.Remaining.ShouldBe(49);
    }

    [Theory]
    [InlineData(120)]
    [InlineData(121)]
    [InlineData(600)]
    [InlineData(86_400)]
    public void TryAcquire_GapOfAWholeWindowOrMore_StartsAfresh(int secondsAfterT0)
    {
        // Arrange
        var state = FirstWindowFull();

        // Act
        var (next, decision) = Acquire(state, T0.AddSeconds(secondsAfterT0));

        // Assert
        decision.Allowed.ShouldBeTrue();
        decision.Remaining.ShouldBe(99);
        next.Current.ShouldBe(1);
        next.Previous.ShouldBe(0);
    }

    [Fact]
    public void TryAcquire_NextWindow_CarriesCurrentCountAsPrevious()
    {
        // Act
        var (next, _) = Acquire(FirstWindowFull(), T0.AddSeconds(61));

        // Assert: 98.3 of the previous window still weigh, so this one fits.
        next.WindowStartTicks.ShouldBe(T0.AddMinutes(1).UtcTicks);
        next.Previous.ShouldBe(100);
        next.Current.ShouldBe(1);
    }

    [Fact]
    public void TryAcquire_TimestampFromAnEarlierWindow_KeepsTheCounts()
    {
        // Arrange: 50 acquires late in the first window and one early in the second; then a caller whose clock
        // runs a little behind reports an instant in the first window.
        var (state, _) = AcquireMany(SlidingWindowState.Empty, T0.AddSeconds(59), 50);
        (state, _) = Acquire(state, T0.AddSeconds(60.5));

        // Act
        var (next, decision) = Acquire(state, T0.AddSeconds(59.9));
        var (_, admittedAfter) = AcquireMany(next, T0.AddSeconds(61), 200);

        // Assert: it counts in the newest window instead of wiping both windows' counts.
        decision.Allowed.ShouldBeTrue();
        next.ShouldBe(new SlidingWindowState(T0.AddMinutes(1).UtcTicks, 2, 50));
        admittedAfter.ShouldBe(48);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void TryAcquire_LimitBelowOne_RefusesUntilTheWindowEnds(int limit)
    {
        // Act
        var (_, decision) = SlidingWindow.TryAcquire(SlidingWindowState.Empty, T0.AddSeconds(20), new RateLimitOptions(limit, TimeSpan.FromMinutes(1)));

        // Assert
        decision.Allowed.ShouldBeFalse();
        decision.RetryAfter.ShouldBe(TimeSpan.FromSeconds(40));
    }

    [Fact]
    public void TryAcquire_LimitOfOnePerSecond_AdmitsOneAndRetriesAfterTheSlide()
    {
        // Arrange
        var options = new RateLimitOptions(1, TimeSpan.FromSeconds(1));
        var (state, first) = SlidingWindow.TryAcquire(SlidingWindowState.Empty, T0, options);

        // Act
        var (_, second) = SlidingWindow.TryAcquire(state, T0.AddMilliseconds(300), options);
        var (_, retried) = SlidingWindow.TryAcquire(state, T0.AddMilliseconds(300) + second.RetryAfter, options);

        // Assert: with a limit of one, the previous window must slide out entirely.
        first.Allowed.ShouldBeTrue();
        first.Remaining.ShouldBe(0);
        second.Allowed.ShouldBeFalse();
        second.RetryAfter.ShouldBe(TimeSpan.FromMilliseconds(1_700));
        retried.Allowed.ShouldBeTrue();
    }
}
