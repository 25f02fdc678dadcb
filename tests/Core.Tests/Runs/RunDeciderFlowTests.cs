using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Runs;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Runs;

/// <summary>Transition tables for how work moves through a graph: sequence, fan-out, joins, conditions, loops.</summary>
public class RunDeciderFlowTests
{
    private static RunHarness Arrange(string graph, string arrange) =>
        new RunHarness(TestGraphs.Get(graph)).DoAll(Split(arrange));

    private static string[] Split(string list) => list.Length == 0 ? [] : list.Split('|');

    [Theory]
    [InlineData("sequential", "a", "timeout:a:1:1")]
    [InlineData("diamond", "a", "timeout:a:1:1")]
    [InlineData("approval-fail", "plan", "timeout:plan:1:1")]
    public void Start_Graph_DispatchesStartNodeWithTimeout(string graph, string startNode, string timeoutTag)
    {
        // Arrange + Act
        var run = new RunHarness(TestGraphs.Get(graph));

        // Assert
        RunHarness.Executed(run.Last).ShouldBe([startNode]);
        var invocation = run.Last.Commands.OfType<ExecuteNode>().Single().Invocation;
        (invocation.RunId, invocation.Visit, invocation.Attempt, invocation.Seed).ShouldBe(("run-1", 1, 1, 42L));
        run.Last.Commands.OfType<StartTimer>().Single().ShouldBe(new StartTimer(timeoutTag, RunHarness.T0 + TimeSpan.FromMinutes(2)));
        RunHarness.Timeline(run.Last.Commands).Select(e => e.Type).ShouldBe(["run.started", "node.started"]);
        run.State.Status.ShouldBe(RunStatus.Running);
        run.Node(startNode).Status.ShouldBe(NodeStatus.Running);
    }

    [Fact]
    public void Start_PromptTemplate_RendersRunInput()
    {
        // Arrange + Act
        var run = new RunHarness(TestGraphs.Sequential);

        // Assert
        run.Last.Commands.OfType<ExecuteNode>().Single().Invocation.Prompt.ShouldBe("Plan sort numbers");
    }

    [Theory]
    // sequential: each success dispatches the next node; the last completes the run
    [InlineData("sequential", "", "ok:a", "b", RunStatus.Running)]
    [InlineData("sequential", "ok:a", "ok:b", "c", RunStatus.Running)]
    [InlineData("sequential", "ok:a|ok:b", "ok:c", "", RunStatus.Completed)]
    // parallel fan-out dispatches both branches; the join waits for both
    [InlineData("diamond", "", "ok:a", "b,c", RunStatus.Running)]
    [InlineData("diamond", "ok:a", "ok:b", "", RunStatus.Running)]
    [InlineData("diamond", "ok:a", "ok:c", "", RunStatus.Running)]
    [InlineData("diamond", "ok:a|ok:b", "ok:c", "d", RunStatus.Running)]
    [InlineData("diamond", "ok:a|ok:c", "ok:b", "d", RunStatus.Running)]
    [InlineData("diamond", "ok:a|ok:b|ok:c", "ok:d", "", RunStatus.Completed)]
    // conditional edges on the reviewer's verdict; revise loops back at most twice
    [InlineData("review", "ok:plan|ok:code", "ok:review:VERDICT: pass", "publish", RunStatus.Running)]
    [InlineData("review", "ok:plan|ok:code", "ok:review:VERDICT: revise", "code", RunStatus.Running)]
    [InlineData("review", "ok:plan|ok:code", "ok:review:{\"verdict\":\"PASS\"}", "publish", RunStatus.Running)]
    [InlineData("review", "ok:plan|ok:code|ok:review:VERDICT: revise|ok:code", "ok:review:VERDICT: revise", "code", RunStatus.Running)]
    [InlineData("review", "ok:plan|ok:code|ok:review:VERDICT: revise|ok:code|ok:review:VERDICT: revise|ok:code", "ok:review:VERDICT: revise", "", RunStatus.Completed)]
    [InlineData("review", "ok:plan|ok:code|ok:review:VERDICT: revise|ok:code", "ok:review:VERDICT: pass", "publish", RunStatus.Running)]
    // status == failed routes a failure instead of failing the run
    [InlineData("failure-route", "", "fatal:a", "recover", RunStatus.Running)]
    [InlineData("failure-route", "", "ok:a", "b", RunStatus.Running)]
    [InlineData("failure-route", "ok:a", "ok:b", "", RunStatus.Completed)]
    [InlineData("failure-route", "fatal:a", "ok:recover", "", RunStatus.Completed)]
    [InlineData("sequential", "ok:a", "fatal:b", "", RunStatus.Failed)]
    public void Apply_NodeEnded_DispatchesReadySuccessors(string graph, string arrange, string act, string expectedExecuted, RunStatus expectedStatus)
    {
        // Arrange
        var run = Arrange(graph, arrange);

        // Act
        var decision = run.Do(act);

        // Assert
        decision.Rejected.ShouldBeFalse();
        RunHarness.Executed(decision).ShouldBe(Split(expectedExecuted.Replace(',', '|')));
        decision.State.Status.ShouldBe(expectedStatus);
        decision.Commands.OfType<FinishRun>().Count().ShouldBe(expectedStatus == RunStatus.Running ? 0 : 1);
    }

    [Theory]
    [InlineData("ok:b", "ok:c")]
    [InlineData("ok:c", "ok:b")]
    public void Apply_JoinAfterBothBranches_RunsJoinOnceWithBothOutputs(string first, string second)
    {
        // Arrange
        var run = Arrange("diamond", "ok:a");

        // Act
        run.Do(first);
        run.Do(second);

        // Assert
        var joins = run.History.OfType<ExecuteNode>().Where(c => c.Invocation.NodeId == "d").ToList();
        joins.Count.ShouldBe(1);
        joins[0].Invocation.Prompt.ShouldBe("Join ## b\noutput of b\n\n## c\noutput of c");
        run.Node("d").Status.ShouldBe(NodeStatus.Running);
    }

    [Fact]
    public void Apply_ConditionNotMet_SkipsTarget()
    {
        // Arrange
        var run = Arrange("failure-route", "");

        // Act
        var decision = run.Do("ok:a");

        // Assert
        run.Node("recover").Status.ShouldBe(NodeStatus.Skipped);
        RunHarness.Timeline(decision.Commands).Select(e => (e.Type, e.NodeId)).ShouldContain(("node.skipped", "recover"));
        run.Do("ok:b").Commands.OfType<FinishRun>().Single().ShouldBe(new FinishRun(RunStatus.Completed, "output of b", null));
    }

    [Fact]
    public void Apply_ReviseLoop_ResetsBodyAndCountsTraversals()
    {
        // Arrange
        var run = Arrange("review", "ok:plan|ok:code");

        // Act
        var decision = run.Do("ok:review:VERDICT: revise");

        // Assert
        run.State.LoopTraversals["review->code"].ShouldBe(1);
        run.Node("code").Visit.ShouldBe(2);
        run.Node("code").Attempt.ShouldBe(1);
        run.Node("review").Status.ShouldBe(NodeStatus.Pending);
        run.Node("publish").Status.ShouldBe(NodeStatus.Pending);
        decision.Commands.OfType<ExecuteNode>().Single().Invocation.Visit.ShouldBe(2);
        RunHarness.Timeline(decision.Commands).Select(e => e.Type).ShouldBe(["node.completed", "loop.taken", "node.started"]);
    }

    [Fact]
    public void Apply_LoopExhausted_LogsAndSkipsConditionalTarget()
    {
        // Arrange
        var run = Arrange("review", "ok:plan|ok:code|ok:review:VERDICT: revise|ok:code|ok:review:VERDICT: revise|ok:code");

        // Act
        var decision = run.Do("ok:review:VERDICT: revise");

        // Assert
        run.State.LoopTraversals["review->code"].ShouldBe(2);
        RunHarness.Timeline(decision.Commands).Select(e => e.Type).ShouldContain("loop.exhausted");
        run.Node("publish").Status.ShouldBe(NodeStatus.Skipped);
        run.State.Output.ShouldBe("VERDICT: revise");
    }

    [Fact]
    public void Apply_FailureWithoutRoute_FailsRunAndCancelsParallelWork()
    {
        // Arrange
        var run = Arrange("diamond", "ok:a");

        // Act
        var decision = run.Do("fatal:b");

        // Assert
        decision.State.Status.ShouldBe(RunStatus.Failed);
        decision.State.Error.ShouldBe("node 'b' failed: provider returned 503");
        decision.Commands.ShouldContain(new CancelNode("c", 1, 1));
        decision.Commands.ShouldContain(new CancelTimer("timeout:c:1:1"));
        run.Node("c").Status.ShouldBe(NodeStatus.Cancelled);
        run.Node("d").Status.ShouldBe(NodeStatus.Pending);
        decision.Commands.OfType<FinishRun>().Single().ShouldBe(new FinishRun(RunStatus.Failed, null, "node 'b' failed: provider returned 503"));
    }

    [Fact]
    public void Apply_FailureLoopExhausted_FailsRun()
    {
        // Arrange: code failed once already and the failure loop re-ran plan.
        var run = Arrange("failure-loop", "ok:start|ok:plan|fatal:code|ok:plan");

        // Act
        var decision = run.Do("fatal:code");

        // Assert
        decision.State.Status.ShouldBe(RunStatus.Failed);
        decision.State.Error.ShouldBe("node 'code' failed: provider returned 503");
        RunHarness.Executed(decision).ShouldBeEmpty();
        run.State.LoopTraversals["code->plan"].ShouldBe(1);
        RunHarness.Timeline(decision.Commands).Select(e => e.Type).ShouldBe(["node.failed", "run.failed"]);
    }

    [Fact]
    public void Apply_FailureLoopAvailable_ReRunsLoopTarget()
    {
        // Arrange
        var run = Arrange("failure-loop", "ok:start|ok:plan");

        // Act
        var decision = run.Do("fatal:code");

        // Assert
        decision.State.Status.ShouldBe(RunStatus.Running);
        RunHarness.Executed(decision).ShouldBe(["plan"]);
        run.Node("code").Status.ShouldBe(NodeStatus.Pending);
    }

    [Fact]
    public void Apply_SecondLoopIntoRunningNode_CancelsItsCurrentVisitFirst()
    {
        // Arrange: x1 looped back to y, so y runs its second visit while x2 still works on the first.
        var run = Arrange("two-loops", "ok:s|ok:y|ok:x1");
        run.Node("y").Visit.ShouldBe(2);

        // Act
        var decision = run.Do("ok:x2");

        // Assert
        decision.Commands.ShouldContain(new CancelNode("y", 2, 1));
        decision.Commands.ShouldContain(new CancelTimer("timeout:y:2:1"));
        RunHarness.Timeline(decision.Commands).Select(e => (e.Type, e.NodeId)).ShouldContain(("node.cancelled", "y"));
        run.Node("y").Visit.ShouldBe(3);
        run.Node("y").Status.ShouldBe(NodeStatus.Running);
    }

    [Fact]
    public void Apply_Success_RecordsUsageOnNodeAndRun()
    {
        // Arrange
        var run = Arrange("sequential", "ok:a");

        // Act
        run.Do("ok:b");

        // Assert
        run.Node("b").Usage.ShouldBe(new Usage(10, 5, 0.001m));
        run.State.Usage.ShouldBe(new Usage(20, 10, 0.002m));
        run.Node("b").Output.ShouldBe("output of b");
        (run.Node("b").Provider, run.Node("b").Model).ShouldBe(("mock", "mock-1"));
    }

    [Fact]
    public void Apply_Completion_CombinesFrontierOutputsAsJson()
    {
        // Arrange: a graph with two independent end nodes.
        const string yaml = """
            name: two-ends
            nodes:
              - id: a
                role: planner
                prompt: A
              - id: b
                role: coder
                prompt: B
              - id: c
                role: writer
                prompt: C
            edges:
              - a -> b
              - a -> c
            """;
        var run = new RunHarness(yaml).DoAll("ok:a", "ok:b");

        // Act
        var decision = run.Do("ok:c");

        // Assert
        decision.State.Status.ShouldBe(RunStatus.Completed);
        decision.State.Output.ShouldBe("""{"b":"output of b","c":"output of c"}""");
        decision.State.EndedAt.ShouldBe(run.Now);
    }

    [Theory]
    [InlineData("done", 1, RunStatus.Completed)]
    [InlineData("TODO: more", 2, RunStatus.Running)]
    public void Apply_SelfLoopOnStartNode_ReRunsNodeWhileConditionHolds(string output, int expectedVisit, RunStatus expectedStatus)
    {
        // Arrange
        const string yaml = """
            name: self-loop
            nodes:
              - id: draft
                role: writer
                prompt: Draft
            edges:
              - from: draft
                to: draft
                when: output contains 'TODO'
                max_traversals: 2
            """;
        var run = new RunHarness(yaml);

        // Act
        var decision = run.Do("ok:draft:" + output);

        // Assert
        decision.State.Status.ShouldBe(expectedStatus);
        run.Node("draft").Visit.ShouldBe(expectedVisit);
    }
}
