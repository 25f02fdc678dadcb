using Shouldly;
using Warden.Core.Runs;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Runs;

/// <summary>Transition tables for approval gates (graph "approval-*": plan -> gate (deadline 1h) -> act).</summary>
public class RunDeciderApprovalTests
{
    private static RunHarness AtGate(string onTimeout = "fail") =>
        new RunHarness(TestGraphs.Approval(onTimeout)).DoAll("ok:plan");

    [Fact]
    public void Apply_GateReached_RequestsApprovalWithDeadlineTimer()
    {
        // Arrange
        var run = new RunHarness(TestGraphs.Approval("fail"));

        // Act
        var decision = run.Do("ok:plan");

        // Assert
        var gate = run.Node("gate");
        gate.Status.ShouldBe(NodeStatus.WaitingApproval);
        gate.ApprovalId.ShouldNotBeNull().ShouldStartWith("apr_");
        var deadline = run.Now + TimeSpan.FromHours(1);
        decision.Commands.ShouldContain(new RequestApproval(gate.ApprovalId, "gate", "Approve the plan?", deadline));
        decision.Commands.ShouldContain(new StartTimer("deadline:gate:1", deadline));
        RunHarness.Executed(decision).ShouldBeEmpty();
        decision.State.Status.ShouldBe(RunStatus.Running);
    }

    [Theory]
    [InlineData("", "approve:gate", RunStatus.Running, NodeStatus.Succeeded, "act", null)]
    [InlineData("", "reject:gate", RunStatus.Failed, NodeStatus.Failed, "", null)]
    [InlineData("approve:gate", "approve:gate", RunStatus.Running, NodeStatus.Succeeded, "", "APPROVAL_NOT_PENDING")]
    [InlineData("approve:gate", "reject:gate", RunStatus.Running, NodeStatus.Succeeded, "", "APPROVAL_NOT_PENDING")]
    [InlineData("reject:gate", "approve:gate", RunStatus.Failed, NodeStatus.Failed, "", "RUN_FINISHED")]
    public void Apply_ApprovalSignal_DecidesGate(string arrange, string act, RunStatus expectedRun, NodeStatus expectedGate, string expectedExecuted, string? expectedRejection)
    {
        // Arrange
        var run = AtGate();
        if (arrange.Length > 0)
        {
            run.DoAll(arrange);
        }

        // Act
        var decision = run.Do(act);

        // Assert
        decision.Rejection?.Code.ShouldBe(expectedRejection);
        decision.Rejected.ShouldBe(expectedRejection is not null);
        run.State.Status.ShouldBe(expectedRun);
        run.Node("gate").Status.ShouldBe(expectedGate);
        RunHarness.Executed(decision).ShouldBe(expectedExecuted.Length == 0 ? [] : [expectedExecuted]);
    }

    [Fact]
    public void Apply_Approve_ClosesApprovalAndPassesDecisionDownstream()
    {
        // Arrange
        var run = AtGate();
        var approvalId = run.Node("gate").ApprovalId!;

        // Act
        var decision = run.Do("approve:gate");

        // Assert
        decision.Commands.ShouldContain(new CancelTimer("deadline:gate:1"));
        decision.Commands.ShouldContain(new CloseApproval(approvalId, ApprovalOutcome.Approved, "alice", "looks good"));
        run.Node("gate").Output.ShouldBe("""{"decision":"approved","by":"alice","comment":"looks good"}""");
        decision.Commands.OfType<ExecuteNode>().Single().Invocation.Prompt.ShouldBe("Act on output of plan");
    }

    [Fact]
    public void Apply_Reject_FailsRunWithReasonNamingGate()
    {
        // Arrange
        var run = AtGate();

        // Act
        var decision = run.Do("reject:gate");

        // Assert
        decision.State.Error.ShouldBe("node 'gate' failed: rejected by bob: not yet");
        decision.Commands.ShouldContain(new CloseApproval(run.Node("gate").ApprovalId!, ApprovalOutcome.Rejected, "bob", "not yet"));
    }

    [Fact]
    public void Apply_ApproveWithUnknownId_IsRejected()
    {
        // Arrange
        var run = AtGate();
        var before = run.State;

        // Act
        var decision = run.Apply(new SignalReceived(SignalKind.Approve, "alice", "apr_nope"));

        // Assert
        decision.Rejection!.Code.ShouldBe("APPROVAL_NOT_PENDING");
        decision.State.ShouldBeSameAs(before);
        decision.Commands.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("fail", RunStatus.Failed, NodeStatus.Failed, ApprovalOutcome.Expired, "")]
    [InlineData("reject", RunStatus.Failed, NodeStatus.Failed, ApprovalOutcome.Rejected, "")]
    [InlineData("approve", RunStatus.Running, NodeStatus.Succeeded, ApprovalOutcome.Approved, "act")]
    public void Apply_DeadlineTimerFired_FollowsOnTimeout(string onTimeout, RunStatus expectedRun, NodeStatus expectedGate, ApprovalOutcome expectedOutcome, string expectedExecuted)
    {
        // Arrange
        var run = AtGate(onTimeout);

        // Act
        var decision = run.Do("deadline:gate");

        // Assert
        decision.State.Status.ShouldBe(expectedRun);
        run.Node("gate").Status.ShouldBe(expectedGate);
        decision.Commands.OfType<CloseApproval>().Single().Outcome.ShouldBe(expectedOutcome);
        RunHarness.Executed(decision).ShouldBe(expectedExecuted.Length == 0 ? [] : [expectedExecuted]);
        if (expectedRun == RunStatus.Failed)
        {
            decision.State.Error!.ShouldStartWith("node 'gate' failed: ");
        }
    }

    [Fact]
    public void Apply_DeadlineWithFail_FailsRunSayingDeadlinePassed()
    {
        // Arrange
        var run = AtGate("fail");

        // Act
        var decision = run.Do("deadline:gate");

        // Assert
        decision.State.Error.ShouldBe("node 'gate' failed: approval deadline of 1h passed without a decision");
        decision.Commands.OfType<FinishRun>().Single().Status.ShouldBe(RunStatus.Failed);
    }

    [Fact]
    public void Apply_DeadlineWithEscalate_EscalatesOnceAndKeepsWaiting()
    {
        // Arrange
        var run = AtGate("escalate");
        var approvalId = run.Node("gate").ApprovalId!;

        // Act
        var first = run.Do("deadline:gate");
        var second = run.Do("deadline:gate");

        // Assert
        first.Commands.ShouldContain(new EscalateApproval(approvalId, "gate", "no decision within 1h"));
        first.Commands.OfType<FinishRun>().ShouldBeEmpty();
        first.Commands.OfType<CloseApproval>().ShouldBeEmpty();
        second.Commands.OfType<EscalateApproval>().ShouldBeEmpty();
        run.Node("gate").Status.ShouldBe(NodeStatus.WaitingApproval);
        run.Node("gate").Escalated.ShouldBeTrue();
        run.State.Status.ShouldBe(RunStatus.Running);
        run.Do("approve:gate").Rejected.ShouldBeFalse();
        run.Node("act").Status.ShouldBe(NodeStatus.Running);
    }

    [Fact]
    public void Apply_DeadlineAfterDecision_IsStale()
    {
        // Arrange
        var run = AtGate("fail").DoAll("approve:gate");
        var before = run.State;

        // Act
        var decision = run.Do("timer:deadline:gate:1");

        // Assert
        decision.Rejected.ShouldBeFalse();
        decision.Commands.ShouldBeEmpty();
        decision.State.ShouldBeSameAs(before);
    }
}
