using System.Globalization;
using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Runs;

/// <summary>Transition tables for retries with backoff, exhaustion and node timeouts (graph "retry": 3 attempts, 1s x2 backoff, 30s timeout).</summary>
public class RunDeciderRetryTests
{
    private static RunHarness FailedAttempts(int count)
    {
        var run = new RunHarness(TestGraphs.Retry);
        for (var i = 0; i < count; i++)
        {
            run.DoAll("error:a", "retrytimer:a");
        }

        return run;
    }

    [Theory]
    [InlineData(0, "retry:a:1:2", 500, 1000)]
    [InlineData(1, "retry:a:1:3", 1000, 2000)]
    public void Apply_RetryableFailure_StartsRetryTimerWithBackoff(int earlierFailures, string expectedTag, int minDelayMs, int maxDelayMs)
    {
        // Arrange
        var run = FailedAttempts(earlierFailures);
        var policy = run.Decider.Graph.FindNode("a")!.Retry;

        // Act
        var decision = run.Do("error:a");

        // Assert
        var timer = decision.Commands.OfType<StartTimer>().Single();
        timer.Tag.ShouldBe(expectedTag);
        var delay = timer.Due - run.Now;
        delay.ShouldBe(Backoff.Delay(policy, run.Seed, "a", 1, earlierFailures + 1));
        delay.TotalMilliseconds.ShouldBeInRange(minDelayMs, maxDelayMs);
        decision.Commands.ShouldContain(new CancelTimer($"timeout:a:1:{earlierFailures + 1}"));
        RunHarness.Executed(decision).ShouldBeEmpty();
        run.Node("a").Status.ShouldBe(NodeStatus.WaitingRetry);
        var logged = RunHarness.Timeline(decision.Commands).Single();
        (logged.Type, logged.Attempt, logged.Data!["will_retry"]).ShouldBe(("node.failed", earlierFailures + 1, "true"));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    public void Apply_RetryTimerFired_DispatchesNextAttempt(int failures, int expectedAttempt)
    {
        // Arrange
        var run = FailedAttempts(failures - 1).DoAll("error:a");

        // Act
        var decision = run.Do($"timer:retry:a:1:{expectedAttempt}");

        // Assert
        var invocation = decision.Commands.OfType<ExecuteNode>().Single().Invocation;
        (invocation.NodeId, invocation.Visit, invocation.Attempt).ShouldBe(("a", 1, expectedAttempt));
        invocation.Key.ShouldBe($"run-1/a/1/{expectedAttempt}");
        decision.Commands.OfType<StartTimer>().Single().ShouldBe(new StartTimer($"timeout:a:1:{expectedAttempt}", run.Now + TimeSpan.FromSeconds(30)));
        run.Node("a").Status.ShouldBe(NodeStatus.Running);
        run.Node("a").StartedAt.ShouldBe(RunHarness.T0);
    }

    [Theory]
    [InlineData("retry:a:1:3")]
    [InlineData("retry:a:2:2")]
    [InlineData("retry:a:1:1")]
    public void Apply_RetryTimerForOtherAttempt_IsStale(string tag)
    {
        // Arrange
        var run = new RunHarness(TestGraphs.Retry).DoAll("error:a");
        var before = run.State;

        // Act
        var decision = run.Do("timer:" + tag);

        // Assert
        decision.Rejected.ShouldBeFalse();
        decision.Commands.ShouldBeEmpty();
        decision.State.ShouldBeSameAs(before);
    }

    [Theory]
    [InlineData(2, "error:a", 3)]
    [InlineData(0, "fatal:a", 1)]
    [InlineData(2, "timeout:a", 3)]
    public void Apply_RetriesExhausted_FailsRunNamingNode(int earlierFailures, string act, int attempts)
    {
        // Arrange
        var run = FailedAttempts(earlierFailures);

        // Act
        var decision = run.Do(act);

        // Assert
        decision.State.Status.ShouldBe(RunStatus.Failed);
        decision.State.Error!.ShouldStartWith("node 'a' failed: ");
        run.Node("a").Status.ShouldBe(NodeStatus.Failed);
        run.Node("a").Attempt.ShouldBe(attempts);
        decision.Commands.OfType<FinishRun>().Single().Reason.ShouldBe(decision.State.Error);
        decision.Commands.OfType<StartTimer>().ShouldBeEmpty();
        var failed = RunHarness.Timeline(decision.Commands).Single(e => e.Type == "node.failed");
        (failed.Data!["will_retry"], failed.Data["attempts"]).ShouldBe(("false", attempts.ToString(CultureInfo.InvariantCulture)));
        RunHarness.Timeline(decision.Commands)[^1].Type.ShouldBe("run.failed");
    }

    [Fact]
    public void Apply_TimeoutTimerFired_CountsAsRetryableFailure()
    {
        // Arrange
        var run = new RunHarness(TestGraphs.Retry);

        // Act
        var decision = run.Do("timer:timeout:a:1:1");

        // Assert
        decision.Commands.ShouldContain(new CancelNode("a", 1, 1));
        decision.Commands.OfType<StartTimer>().Single().Tag.ShouldBe("retry:a:1:2");
        run.Node("a").Status.ShouldBe(NodeStatus.WaitingRetry);
        run.Node("a").Error.ShouldBe("timed out after 30s");
        RunHarness.Timeline(decision.Commands).Select(e => e.Type).ShouldBe(["node.timed_out", "node.failed"]);
    }

    [Theory]
    [InlineData("timeout:a:1:2")]
    [InlineData("timeout:a:2:1")]
    [InlineData("timeout:b:1:1")]
    public void Apply_TimeoutTimerForOtherAttempt_IsStale(string tag)
    {
        // Arrange
        var run = new RunHarness(TestGraphs.Retry);
        var before = run.State;

        // Act
        var decision = run.Do("timer:" + tag);

        // Assert
        decision.Rejected.ShouldBeFalse();
        decision.Commands.ShouldBeEmpty();
        decision.State.ShouldBeSameAs(before);
    }

    [Fact]
    public void Apply_LateResultAfterTimeout_IsStale()
    {
        // Arrange: attempt 1 timed out and attempt 2 is running.
        var run = new RunHarness(TestGraphs.Retry).DoAll("timeout:a", "retrytimer:a");
        var before = run.State;

        // Act
        var decision = run.Apply(new NodeSucceeded("a", 1, 1, "late", Usage.Zero, "mock", "mock-1", 31_000));

        // Assert: only the late call's spend is recorded.
        decision.Commands.ShouldHaveSingleItem().ShouldBeOfType<RecordOutcome>().ReservationKey.ShouldBe("run-1/a/1/1");
        decision.State.ShouldBeSameAs(before);
        run.Node("a").Attempt.ShouldBe(2);
    }

    [Fact]
    public void Apply_FailureUsage_IsCounted()
    {
        // Arrange
        var run = new RunHarness(TestGraphs.Retry);

        // Act
        run.Apply(new NodeFailed("a", 1, 1, "rate limited", Retryable: true, new Usage(7, 0, 0.0001m)));

        // Assert
        run.Node("a").Usage.ShouldBe(new Usage(7, 0, 0.0001m));
        run.State.Usage.ShouldBe(new Usage(7, 0, 0.0001m));
    }

    [Theory]
    [InlineData(1, 500, 1000)]
    [InlineData(2, 1000, 2000)]
    [InlineData(3, 2000, 4000)]
    [InlineData(5, 5000, 10000)]
    [InlineData(9, 5000, 10000)]
    public void Delay_FailedAttempt_IsExponentialWithEqualJitterAndCap(int failedAttempt, int minMs, int maxMs)
    {
        // Arrange
        var policy = new RetryPolicy(10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 2);

        // Act
        var delays = Enumerable.Range(0, 50).Select(seed => Backoff.Delay(policy, seed, "a", 1, failedAttempt).TotalMilliseconds).ToList();

        // Assert
        delays.ShouldAllBe(d => d >= minMs && d <= maxMs);
        delays.Distinct().Count().ShouldBeGreaterThan(1);
        Backoff.Delay(policy, 3, "a", 1, failedAttempt).ShouldBe(Backoff.Delay(policy, 3, "a", 1, failedAttempt));
    }
}
