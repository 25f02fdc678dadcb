using FsCheck;
using FsCheck.Fluent;
using Shouldly;
using Warden.Core.Guardrails.RateLimit;
using Xunit;

namespace Warden.Core.Tests.Guardrails.RateLimit;

/// <summary>A limit, a window and the delays (ms) between acquires; negative delays are a caller's clock running behind.</summary>
public sealed record AcquireScript(int Limit, int WindowMs, int[] DelaysMs)
{
    public RateLimitOptions Options => new(Limit, TimeSpan.FromMilliseconds(WindowMs));

    public override string ToString() => $"limit {Limit} per {WindowMs} ms, delays [{string.Join(", ", DelaysMs)}]";
}

/// <summary>Properties of the sliding-window counter over random acquire sequences.</summary>
public class SlidingWindowPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(500).WithEndSize(300);
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Gen<int> ForwardDelays { get; } = Gen.Frequency(
        (5, Gen.Constant(0)),
        (5, Gen.Choose(1, 400)),
        (2, Gen.Choose(400, 3_000)),
        (1, Gen.Choose(3_000, 25_000)));

    private static Arbitrary<AcquireScript> Scripts(Gen<int> delays) =>
        (from limit in Gen.Choose(1, 12)
         from windowMs in Gen.Elements(1_000, 7_000, 10_000)
         from delaysMs in delays.ArrayOf()
         select new AcquireScript(limit, windowMs, delaysMs)).ToArbitrary();

    private static void Walk(AcquireScript script, Action<SlidingWindowState, DateTimeOffset, SlidingWindowState, RateLimitDecision> check)
    {
        var state = SlidingWindowState.Empty;
        var now = T0.AddTicks(1234567);
        foreach (var delay in script.DelaysMs)
        {
            now = now.AddMilliseconds(delay);
            var (next, decision) = SlidingWindow.TryAcquire(state, now, script.Options);
            check(state, now, next, decision);
            state = next;
        }
    }

    [Fact]
    public void TryAcquire_AnySequence_AdmitsAtMostTheLimitInAnyAlignedWindow()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Scripts(ForwardDelays), script =>
        {
            var window = TimeSpan.FromMilliseconds(script.WindowMs).Ticks;
            var admittedPerWindow = new Dictionary<long, int>();
            Walk(script, (_, now, _, decision) =>
            {
                if (decision.Allowed)
                {
                    var key = now.UtcTicks / window;
                    admittedPerWindow[key] = admittedPerWindow.GetValueOrDefault(key) + 1;
                }
            });
            admittedPerWindow.Values.ShouldAllBe(count => count <= script.Limit);
        }).Check(Config);
    }

    [Fact]
    public void TryAcquire_ClockJitter_AdmitsAtMostTheLimitPerWindowItCountedIn()
    {
        // Arrange: callers' clocks disagree by up to 2 s, so time sometimes goes backwards.
        var jittery = Gen.Frequency((4, ForwardDelays), (1, Gen.Choose(-2_000, -1)));

        // Act + Assert
        Prop.ForAll(Scripts(jittery), script =>
        {
            var admittedPerWindow = new Dictionary<long, int>();
            Walk(script, (before, _, next, decision) =>
            {
                next.WindowStartTicks.ShouldBeGreaterThanOrEqualTo(before.WindowStartTicks);
                if (decision.Allowed)
                {
                    admittedPerWindow[next.WindowStartTicks] = admittedPerWindow.GetValueOrDefault(next.WindowStartTicks) + 1;
                }
            });
            admittedPerWindow.Values.ShouldAllBe(count => count <= script.Limit);
        }).Check(Config);
    }

    [Fact]
    public void TryAcquire_AnyRefusal_IsAdmittedWhenRetriedAfterRetryAfter()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Scripts(ForwardDelays), script => Walk(script, (_, now, next, decision) =>
        {
            if (decision.Allowed)
            {
                decision.RetryAfter.ShouldBe(TimeSpan.Zero);
                return;
            }

            decision.Remaining.ShouldBe(0);
            decision.RetryAfter.ShouldBeGreaterThan(TimeSpan.Zero);
            var (_, retried) = SlidingWindow.TryAcquire(next, now + decision.RetryAfter, script.Options);
            retried.Allowed.ShouldBeTrue($"refused at {now:HH:mm:ss.fffffff} with retry after {decision.RetryAfter}, state {next}");
        })).Check(Config);
    }

    [Fact]
    public void TryAcquire_AnyCountsAndInstant_RetryAfterIsTheFirstInstantAdmitted()
    {
        // Arrange: any counts the state can hold (each at most the limit), limits up to 100,000 per window of up to a day.
        var cases =
            from limit in Gen.Choose(1, 100_000)
            from windowMs in Gen.Choose(1, 86_400_000)
            from previous in Gen.Choose(0, limit)
            from current in Gen.Choose(0, limit)
            from millionths in Gen.Choose(0, 999_999)
            select (Limit: limit, WindowMs: windowMs, Previous: previous, Current: current, Millionths: millionths);

        // Act + Assert
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var options = new RateLimitOptions(c.Limit, TimeSpan.FromMilliseconds(c.WindowMs));
            var window = options.Window.Ticks;
            var start = T0.UtcTicks / window * window;
            var now = new DateTimeOffset(start + (window * c.Millionths / 1_000_000), TimeSpan.Zero);
            var (next, decision) = SlidingWindow.TryAcquire(new SlidingWindowState(start, c.Current, c.Previous), now, options);
            if (decision.Allowed)
            {
                return;
            }

            decision.RetryAfter.ShouldBeGreaterThan(TimeSpan.Zero);
            SlidingWindow.TryAcquire(next, now + decision.RetryAfter, options).Decision.Allowed.ShouldBeTrue();
            SlidingWindow.TryAcquire(next, now + decision.RetryAfter - TimeSpan.FromTicks(1), options).Decision.Allowed.ShouldBeFalse();
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
    }

    [Fact]
    public void TryAcquire_AnyAdmission_RemainingIsExactlyHowManyMoreFitNow()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Scripts(ForwardDelays), script => Walk(script, (_, now, next, decision) =>
        {
            if (!decision.Allowed)
            {
                return;
            }

            decision.Remaining.ShouldBeInRange(0, script.Limit - 1);
            var state = next;
            for (var i = 0; i < decision.Remaining; i++)
            {
                (state, var more) = SlidingWindow.TryAcquire(state, now, script.Options);
                more.Allowed.ShouldBeTrue();
            }

            SlidingWindow.TryAcquire(state, now, script.Options).Decision.Allowed.ShouldBeFalse();
        })).Check(Config);
    }

    [Fact]
    public void TryAcquire_AnySequence_ResetAtIsTheEndOfTheWindowHoldingNow()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Scripts(ForwardDelays), script => Walk(script, (_, now, _, decision) =>
        {
            var window = TimeSpan.FromMilliseconds(script.WindowMs);
            (decision.ResetAt.UtcTicks % window.Ticks).ShouldBe(0);
            decision.ResetAt.ShouldBeGreaterThan(now);
            (decision.ResetAt - now).ShouldBeLessThanOrEqualTo(window);
        })).Check(Config);
    }
}
