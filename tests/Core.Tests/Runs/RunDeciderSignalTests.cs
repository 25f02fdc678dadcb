using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Runs;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Runs;

/// <summary>Transition tables for pause / resume / stop, finished runs and stale events.</summary>
public class RunDeciderSignalTests
{
    private static RunHarness Arrange(string graph, string arrange) =>
        new RunHarness(TestGraphs.Get(graph)).DoAll(arrange.Length == 0 ? [] : arrange.Split('|'));

    [Theory]
    [InlineData("sequential", "pause", "ok:a", "b")]
    [InlineData("diamond", "pause", "ok:a", "b,c")]
    [InlineData("diamond", "ok:a|ok:b|pause", "ok:c", "d")]
    [InlineData("retry", "error:a|pause", "retrytimer:a", "a")]
    [InlineData("approval-fail", "ok:plan|pause", "approve:gate", "act")]
    public void Apply_WhilePaused_HoldsNewlyReadyNodes(string graph, string arrange, string act, string held)
    {
        // Arrange
        var run = Arrange(graph, arrange);

        // Act
        var decision = run.Do(act);

        // Assert
        decision.Rejected.ShouldBeFalse();
        RunHarness.Executed(decision).ShouldBeEmpty();
        decision.State.Status.ShouldBe(RunStatus.Paused);
        foreach (var id in held.Split(','))
        {
            run.Node(id).Status.ShouldBe(NodeStatus.Ready);
        }
    }

    [Theory]
    [InlineData("sequential", "pause|ok:a", "b", 1)]
    [InlineData("diamond", "pause|ok:a", "b,c", 1)]
    [InlineData("retry", "error:a|pause|retrytimer:a", "a", 2)]
    public void Apply_Resume_DispatchesHeldNodes(string graph, string arrange, string expected, int attempt)
    {
        // Arrange
        var run = Arrange(graph, arrange);

        // Act
        var decision = run.Do("resume");

        // Assert
        decision.State.Status.ShouldBe(RunStatus.Running);
        RunHarness.Executed(decision).ShouldBe(expected.Split(','));
        decision.Commands.OfType<ExecuteNode>().ShouldAllBe(c => c.Invocation.Attempt == attempt);
        RunHarness.Timeline(decision.Commands)[0].Type.ShouldBe("run.resumed");
    }

    [Fact]
    public void Apply_PauseWhileNodeRuns_LetsItFinish()
    {
        // Arrange
        var run = Arrange("sequential", "");

        // Act
        var decision = run.Do("pause");

        // Assert
        decision.Commands.OfType<CancelNode>().ShouldBeEmpty();
        run.Node("a").Status.ShouldBe(NodeStatus.Running);
        RunHarness.Timeline(decision.Commands).Single().Type.ShouldBe("run.paused");
        run.Do("ok:a").Rejected.ShouldBeFalse();
        run.Node("a").Status.ShouldBe(NodeStatus.Succeeded);
    }

    [Fact]
    public void Apply_LastNodeEndsWhilePaused_CompletesRun()
    {
        // Arrange
        var run = Arrange("sequential", "ok:a|ok:b|pause");

        // Act
        var decision = run.Do("ok:c");

        // Assert
        decision.State.Status.ShouldBe(RunStatus.Completed);
    }

    [Theory]
    [InlineData("pause", "pause", "ALREADY_PAUSED")]
    [InlineData("", "resume", "NOT_PAUSED")]
    public void Apply_PauseOrResumeOutOfTurn_IsRejected(string arrange, string act, string code)
    {
        // Arrange
        var run = Arrange("sequential", arrange);
        var before = run.State;

        // Act
        var decision = run.Do(act);

        // Assert
        decision.Rejection!.Code.ShouldBe(code);
        decision.State.ShouldBeSameAs(before);
    }

    [Theory]
    [InlineData("sequential", "", "a")]
    [InlineData("diamond", "ok:a", "b,c")]
    [InlineData("diamond", "ok:a|ok:b", "c")]
    [InlineData("retry", "error:a", "a")]
    [InlineData("approval-fail", "ok:plan", "gate")]
    [InlineData("sequential", "pause|ok:a", "b")]
    [InlineData("retry", "error:a|pause|retrytimer:a", "a")]
    public void Apply_Stop_CancelsActiveNodesAndEndsStopped(string graph, string arrange, string cancelled)
    {
        // Arrange
        var run = Arrange(graph, arrange);

        // Act
        var decision = run.Do("stop");

        // Assert
        decision.State.Status.ShouldBe(RunStatus.Stopped);
        decision.State.Error.ShouldBe("stopped by ops: enough");
        decision.State.EndedAt.ShouldBe(run.Now);
        decision.State.Nodes.Values.ShouldAllBe(n => !n.Status.IsActive());
        var ids = cancelled.Split(',');
        decision.State.Nodes.Where(kv => kv.Value.Status == NodeStatus.Cancelled).Select(kv => kv.Key).ShouldBe(ids, ignoreOrder: true);
        RunHarness.Timeline(decision.Commands).Where(e => e.Type == "node.cancelled").Select(e => e.NodeId).ShouldBe(ids, ignoreOrder: true);
        decision.Commands.OfType<FinishRun>().Single().ShouldBe(new FinishRun(RunStatus.Stopped, null, "stopped by ops: enough"));
        RunHarness.Timeline(decision.Commands)[^1].Type.ShouldBe("run.stopped");
    }

    [Fact]
    public void Apply_StopWithRunningAndWaitingWork_CancelsEachKindOfWork()
    {
        // Arrange
        var run = Arrange("retry", "error:a");
        var running = Arrange("sequential", "ok:a");
        var gate = Arrange("approval-fail", "ok:plan");

        // Act
        var retry = run.Do("stop");
        var exec = running.Do("stop");
        var approval = gate.Do("stop");

        // Assert
        retry.Commands.ShouldContain(new CancelTimer("retry:a:1:2"));
        exec.Commands.ShouldContain(new CancelNode("b", 1, 1));
        exec.Commands.ShouldContain(new CancelTimer("timeout:b:1:1"));
        approval.Commands.ShouldContain(new CancelTimer("deadline:gate:1"));
        approval.Commands.ShouldContain(new CloseApproval(gate.Node("gate").ApprovalId!, ApprovalOutcome.Cancelled, RunDecider.SystemActor, "stopped by ops: enough"));
    }

    [Theory]
    [InlineData("sequential", "ok:a|ok:b|ok:c", "ok:c", RunStatus.Completed)]
    [InlineData("sequential", "ok:a|ok:b|ok:c", "stop", RunStatus.Completed)]
    [InlineData("sequential", "fatal:a", "timer:timeout:a:1:1", RunStatus.Failed)]
    [InlineData("sequential", "fatal:a", "resume", RunStatus.Failed)]
    [InlineData("sequential", "stop", "ok:a", RunStatus.Stopped)]
    [InlineData("sequential", "stop", "stop", RunStatus.Stopped)]
    [InlineData("sequential", "stop", "pause", RunStatus.Stopped)]
    [InlineData("retry", "error:a|stop", "retrytimer:a", RunStatus.Stopped)]
    [InlineData("approval-fail", "ok:plan|stop", "approve:gate", RunStatus.Stopped)]
    public void Apply_AnyEventOnFinishedRun_IsRejectedWithRunFinished(string graph, string arrange, string act, RunStatus finished)
    {
        // Arrange
        var run = Arrange(graph, arrange);
        var before = run.State;
        var json = RunHarness.Serialize(before);

        // Act
        var decision = run.Do(act);

        // Assert
        before.Status.ShouldBe(finished);
        decision.State.ShouldBeSameAs(before);
        RunHarness.Serialize(before).ShouldBe(json);
        if (run.Event(act) is NodeSucceeded or NodeFailed)
        {
            // A late result changes nothing but its spend and provider health, which are still recorded.
            decision.Rejected.ShouldBeFalse();
            decision.Commands.ShouldHaveSingleItem().ShouldBeOfType<RecordOutcome>();
            return;
        }

        decision.Rejected.ShouldBeTrue();
        decision.Rejection!.Code.ShouldBe("RUN_FINISHED");
        decision.Rejection.Message.ShouldBe($"run run-1 has already {finished.ToString().ToLowerInvariant()}");
        decision.Commands.ShouldBeEmpty();
    }

    public static TheoryData<RunEvent> StaleEvents() => new()
    {
        new NodeSucceeded("b", 1, 2, "wrong attempt", Usage.Zero, "mock", "mock-1", 1),
        new NodeSucceeded("b", 2, 1, "wrong visit", Usage.Zero, "mock", "mock-1", 1),
        new NodeSucceeded("a", 1, 1, "already done", Usage.Zero, "mock", "mock-1", 1),
        new NodeSucceeded("c", 0, 0, "not started", Usage.Zero, "mock", "mock-1", 1),
        new NodeSucceeded("ghost", 1, 1, "no such node", Usage.Zero, "mock", "mock-1", 1),
        new NodeFailed("b", 1, 0, "wrong attempt", Retryable: false),
        new NodeFailed("a", 1, 1, "already done", Retryable: true),
        new TimerFired("timeout:b:1:2"),
        new TimerFired("timeout:a:1:1"),
        new TimerFired("retry:b:1:2"),
        new TimerFired("deadline:b:1"),
        new TimerFired("bogus"),
        new TimerFired("timeout:b:x:1"),
        new TimerFired("snooze:b:1:1"),
    };

    [Theory]
    [MemberData(nameof(StaleEvents))]
    public void Apply_StaleEvent_ChangesNothing(RunEvent stale)
    {
        // Arrange: a succeeded, b runs attempt 1 of visit 1.
        var run = Arrange("sequential", "ok:a");
        var before = run.State;
        var json = RunHarness.Serialize(before);

        // Act
        var decision = run.Apply(stale);

        // Assert
        decision.Rejected.ShouldBeFalse();
        if (stale is TimerFired)
        {
            decision.Commands.ShouldBeEmpty();
        }
        else
        {
            // A late result still reports its spend and provider health.
            decision.Commands.ShouldHaveSingleItem().ShouldBeOfType<RecordOutcome>();
        }

        decision.State.ShouldBeSameAs(before);
        RunHarness.Serialize(decision.State).ShouldBe(json);
    }

    [Fact]
    public void Apply_AcceptedEvent_DoesNotMutateInputState()
    {
        // Arrange
        var run = Arrange("diamond", "ok:a");
        var before = run.State;
        var json = RunHarness.Serialize(before);

        // Act
        var decision = run.Do("ok:b");

        // Assert
        decision.State.ShouldNotBeSameAs(before);
        RunHarness.Serialize(before).ShouldBe(json);
        before.Nodes["b"].Status.ShouldBe(NodeStatus.Running);
        decision.State.Nodes["b"].Status.ShouldBe(NodeStatus.Succeeded);
    }
}
