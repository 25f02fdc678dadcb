using FsCheck;
using FsCheck.Fluent;
using Shouldly;
using Warden.Core.Guardrails.CircuitBreaker;
using Xunit;

namespace Warden.Core.Tests.Guardrails.CircuitBreaker;

/// <summary>One breaker operation, <see cref="DelayMs"/> after the previous one.</summary>
public sealed record BreakerStep(BreakerOperation Operation, int DelayMs)
{
    public override string ToString() => $"+{DelayMs}ms {Operation}";
}

/// <summary>Properties of the breaker over random operation sequences with time moving forward.</summary>
public class CircuitBreakerPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(500).WithEndSize(200);
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Small options so that short sequences reach every state, and delays that straddle break and window.</summary>
    private static readonly CircuitBreakerOptions Options = new()
    {
        FailureThreshold = 3,
        FailureRatio = 0.5,
        MinimumThroughput = 4,
        SamplingWindow = TimeSpan.FromSeconds(10),
        BreakDuration = TimeSpan.FromSeconds(5),
    };

    private static Arbitrary<BreakerStep[]> Scripts { get; } =
        (from operation in Gen.Frequency(
             (6, Gen.Constant(BreakerOperation.Check)),
             (3, Gen.Constant(BreakerOperation.Success)),
             (4, Gen.Constant(BreakerOperation.Failure)),
             (1, Gen.Constant(BreakerOperation.Reset)))
         from delay in Gen.Frequency(
             (4, Gen.Constant(0)),
             (6, Gen.Choose(1, 2_000)),
             (1, Gen.Choose(4_000, 12_000)))
         select new BreakerStep(operation, delay)).ArrayOf().ToArbitrary();

    private static void Walk(BreakerStep[] script, Action<CircuitBreakerState, BreakerStep, DateTimeOffset, CircuitBreakerState, BreakerDecision> check)
    {
        var state = CircuitBreakerState.Closed;
        var now = T0;
        foreach (var step in script)
        {
            now = now.AddMilliseconds(step.DelayMs);
            var (next, decision) = CircuitBreakerTransitions.Apply(state, step.Operation, now, Options);
            check(state, step, now, next, decision);
            state = next;
        }
    }

    [Fact]
    public void Apply_AnySequence_NeverAllowsWhileOpenBeforeBreakEnds()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Scripts, script => Walk(script, (before, step, now, next, decision) =>
        {
            if (before.Status != BreakerStatus.Open || now >= before.OpenedAt + Options.BreakDuration || step.Operation == BreakerOperation.Reset)
            {
                return;
            }

            next.Status.ShouldBe(BreakerStatus.Open, $"{step} at {now:HH:mm:ss.fff}");
            if (step.Operation == BreakerOperation.Check)
            {
                decision.Allowed.ShouldBeFalse();
                decision.RetryAfter.ShouldBe(before.OpenedAt!.Value + Options.BreakDuration - now);
            }
        })).Check(Config);
    }

    [Fact]
    public void Apply_AnySequence_HalfOpenLetsOneProbeThroughPerBreak()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Scripts, script => Walk(script, (before, step, now, _, decision) =>
        {
            if (before.Status == BreakerStatus.HalfOpen && step.Operation == BreakerOperation.Check && now < before.ProbeStartedAt + Options.BreakDuration)
            {
                decision.Allowed.ShouldBeFalse();
                decision.RetryAfter.ShouldBe(before.ProbeStartedAt!.Value + Options.BreakDuration - now);
            }
        })).Check(Config);
    }

    [Fact]
    public void Apply_AnySequence_ClosedBreakerOpensExactlyWhenAThresholdIsReached()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Scripts, script => Walk(script, (before, step, _, next, decision) =>
        {
            if (before.Status != BreakerStatus.Closed || step.Operation == BreakerOperation.Reset)
            {
                return;
            }

            var tripped = step.Operation == BreakerOperation.Failure &&
                (next.ConsecutiveFailures >= Options.FailureThreshold ||
                 (next.WindowCalls >= Options.MinimumThroughput && next.WindowFailures >= Options.FailureRatio * next.WindowCalls));
            next.Status.ShouldBe(tripped ? BreakerStatus.Open : BreakerStatus.Closed);
            decision.Allowed.ShouldBe(!tripped);
        })).Check(Config);
    }

    [Fact]
    public void Apply_AnySequence_RefusalsCarryAPositiveRetryAfterWithinABreak()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Scripts, script => Walk(script, (_, step, _, _, decision) =>
        {
            if (decision.Allowed)
            {
                decision.RetryAfter.ShouldBeNull();
            }
            else if (step.Operation == BreakerOperation.Check)
            {
                decision.RetryAfter!.Value.ShouldBeGreaterThan(TimeSpan.Zero);
                decision.RetryAfter.Value.ShouldBeLessThanOrEqualTo(Options.BreakDuration);
            }
        })).Check(Config);
    }
}
