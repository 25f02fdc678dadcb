using Microsoft.DurableTask;
using NSubstitute;
using Shouldly;
using Warden.Core.Guardrails.Budget;
using Warden.Core.Guardrails.CircuitBreaker;
using Warden.Core.Runs;
using Warden.Functions.Guardrails;
using Warden.Functions.Runs;
using Warden.Functions.Tests.Support;
using Warden.Runtime.Guardrails;
using Xunit;

namespace Warden.Functions.Tests.Runs;

public class RunGraphTests
{
    [Fact]
    public async Task RunAsync_SequentialGraph_ExecutesEachNodeInTurnAndCompletes()
    {
        // Arrange
        var run = new OrchestrationHarness(TestRuns.Input(TestRuns.Sequential));

        // Act
        var result = run.Start();
        run.Steps.Count.ShouldBe(1);
        run.Steps[0].Complete(TestRuns.Succeeded(run.Steps[0].Invocation, "plan done"));
        run.Steps.Count.ShouldBe(2);
        run.Steps[1].Complete(TestRuns.Succeeded(run.Steps[1].Invocation, "all done"));

        // Assert
        result.IsCompletedSuccessfully.ShouldBeTrue();
        var output = await result;
        output.Status.ShouldBe(RunStatus.Completed);
        output.Output.ShouldBe("all done");
        run.Steps.Select(s => (s.Activity, s.Invocation.NodeId, s.Invocation.Attempt)).ShouldBe([(nameof(ExecuteNodeActivity), "n1", 1), (nameof(ExecuteNodeActivity), "n2", 1)]);
        run.Steps[1].Invocation.Prompt.ShouldContain("plan done");
        run.ProjectionActivities.ShouldAllBe(name => name == nameof(AppendTimelineActivity));
        run.Projections[^1].Commands.OfType<FinishRun>().Single().Status.ShouldBe(RunStatus.Completed);
        run.Projections[^1].State.Status.ShouldBe(RunStatus.Completed);
        run.PendingTimers.ShouldBeEmpty();
    }

    [Fact]
    public void RunAsync_EveryDecision_IsProjectedInOrderWithContiguousEventNumbers()
    {
        // Arrange
        var run = new OrchestrationHarness(TestRuns.Input(TestRuns.Sequential));

        // Act
        _ = run.Start();
        run.Steps[0].Complete(TestRuns.Succeeded(run.Steps[0].Invocation));
        run.Steps[1].Complete(TestRuns.Succeeded(run.Steps[1].Invocation));

        // Assert
        run.Projections.Select(p => p.Version).ShouldBe(Enumerable.Range(1, run.Projections.Count).Select(i => (long)i));
        var expectedBefore = 0L;
        foreach (var update in run.Projections)
        {
            update.EventsBefore.ShouldBe(expectedBefore);
            expectedBefore += update.Commands.OfType<AppendTimeline>().Sum(t => t.Entries.Count);
        }

        run.Timeline.First().ShouldBe("run.started");
        run.Timeline.Last().ShouldBe("run.completed");
    }

    [Fact]
    public void RunAsync_RetryableFailure_RetriesAfterTheDecidersBackoffWithoutDurableRetries()
    {
        // Arrange
        var run = new OrchestrationHarness(TestRuns.Input(TestRuns.Sequential));
        _ = run.Start();
        var first = run.Steps[0];

        // Act
        first.Complete(TestRuns.Failed(first.Invocation));

        // Assert: the attempt's timeout timer is cancelled and one retry timer waits; nothing runs until it fires.
        run.Steps.Count.ShouldBe(1);
        var retry = run.PendingTimers.ShouldHaveSingleItem();
        retry.FireAt.ShouldBeGreaterThan(run.Now);
        retry.Fire();
        run.Steps.Count.ShouldBe(2);
        run.Steps[1].Invocation.Attempt.ShouldBe(2);
        run.Steps.ShouldAllBe(s => s.Options == null);
    }

    [Fact]
    public void RunAsync_ActivityThrows_FeedsARetryableNodeFailedToTheDecider()
    {
        // Arrange
        var run = new OrchestrationHarness(TestRuns.Input(TestRuns.Sequential));
        _ = run.Start();

        // Act
        run.Steps[0].Result.SetException(new TaskFailedException(nameof(ExecuteNodeActivity), 1, new InvalidOperationException("worker lost")));

        // Assert
        var failed = run.Projections.SelectMany(p => p.Commands.OfType<AppendTimeline>()).SelectMany(t => t.Entries).Last(e => e.Type == "node.failed");
        failed.Data!["error"].ShouldContain("worker lost");
        failed.Data["will_retry"].ShouldBe("true");
        run.PendingTimers.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task RunAsync_StopSignal_StopsTheRunAndWaitsForTheStepInFlightToRecordItsCost()
    {
        // Arrange
        var run = new OrchestrationHarness(TestRuns.Input(TestRuns.Sequential));
        var result = run.Start();
        var step = run.Steps[0];

        // Act
        run.Raise(new SignalReceived(SignalKind.Stop, "alice"));

        // Assert: stopped in the store at once, but the orchestration waits for the step it cannot recall.
        run.Projections[^1].State.Status.ShouldBe(RunStatus.Stopped);
        run.PendingTimers.ShouldBeEmpty();
        result.IsCompleted.ShouldBeFalse();
        step.Complete(TestRuns.Succeeded(step.Invocation));
        (await result).Status.ShouldBe(RunStatus.Stopped);
        run.Signals.ShouldContain(s => s.Operation == nameof(BudgetEntity.Settle));
        run.Signals.ShouldContain(s => s.Operation == nameof(CircuitBreakerEntity.Success) && s.Id.Key == "mock");
        run.Steps.Count.ShouldBe(1);
    }

    [Fact]
    public void RunAsync_RejectedSignal_ChangesNothing()
    {
        // Arrange
        var run = new OrchestrationHarness(TestRuns.Input(TestRuns.Sequential));
        _ = run.Start();
        var projections = run.Projections.Count;

        // Act
        run.Raise(new SignalReceived(SignalKind.Resume, "alice"));

        // Assert
        run.Projections.Count.ShouldBe(projections);
        run.Signal.ShouldNotBeNull().Task.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task RunAsync_BudgetRefusesTheStep_FailsTheRunAndReturnsWhatOtherBudgetsGranted()
    {
        // Arrange
        var run = new OrchestrationHarness(TestRuns.Input(TestRuns.Budgeted));
        var runBudget = GuardrailEntityIds.Budget(GuardrailKeys.RunBudget(TestRuns.RunId));
        run.Budget = id => id == runBudget ? new BudgetDecision(false, "budget run of $1 would be exceeded", 0m, null) : new BudgetDecision(true, null, null, null);

        // Act
        var result = await run.Start();

        // Assert
        result.Status.ShouldBe(RunStatus.Failed);
        result.ErrorCode.ShouldBe(BudgetLedger.ExceededCode);
        run.Steps.ShouldBeEmpty();
        run.Signals.First().ShouldBe((runBudget, nameof(BudgetEntity.SetLimit), (object?)new BudgetLimit(1m, null)));
        run.Signals.Where(s => s.Operation == nameof(BudgetEntity.Release)).Select(s => s.Id.Key)
            .ShouldBe([GuardrailKeys.GraphBudget(TestRuns.Tenant, "budgeted"), GuardrailKeys.TenantBudget(TestRuns.Tenant, run.Now)], ignoreOrder: true);
        run.Signals.Where(s => s.Operation == nameof(BudgetEntity.ReleaseRun)).Count().ShouldBe(3);
    }

    [Fact]
    public void RunAsync_EveryBreakerOpen_WaitsForTheBreakAndAsksAgain()
    {
        // Arrange
        var run = new OrchestrationHarness(TestRuns.Input(TestRuns.Sequential));
        run.Breaker = _ => new BreakerDecision(false, BreakerStatus.Open, TimeSpan.FromSeconds(5));

        // Act
        _ = run.Start();

        // Assert
        run.Steps.ShouldBeEmpty();
        var admit = run.PendingTimers.ShouldHaveSingleItem();
        admit.FireAt.ShouldBe(run.Now.AddSeconds(5));
        run.Timeline.ShouldContain("node.throttled");
        run.Breaker = _ => new BreakerDecision(true, BreakerStatus.HalfOpen, null);
        admit.Fire();
        run.Steps.ShouldHaveSingleItem().Invocation.NodeId.ShouldBe("n1");
    }

    [Fact]
    public void RunAsync_DecisionBoundReachedWithNothingInFlight_ContinuesAsNewWithStateAndTimers()
    {
        // Arrange
        var run = new OrchestrationHarness(TestRuns.Input(TestRuns.Gated, decisionsPerExecution: 3));
        _ = run.Start();

        // Act: plan succeeds; the run then waits at the gate with only its deadline timer pending.
        run.Steps[0].Complete(TestRuns.Succeeded(run.Steps[0].Invocation));

        // Assert
        var next = run.ContinuedWith.ShouldNotBeNull();
        var carried = next.CarryOver.ShouldNotBeNull();
        carried.State.Nodes["gate"].Status.ShouldBe(NodeStatus.WaitingApproval);
        carried.Decisions.ShouldBe(run.Projections[^1].Version);
        carried.Events.ShouldBe(run.Timeline.Count());
        carried.Timers.ShouldHaveSingleItem().Tag.ShouldBe("deadline:gate:1");
        carried.Timers[0].Due.ShouldBe(new DateTimeOffset(run.Now.AddHours(1)));
        run.Timers.ShouldAllBe(t => t.Cancellation.IsCancellationRequested || t.Fired.Task.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_ContinuedExecution_ResumesTimersAndTakesTheApproval()
    {
        // Arrange: the input the previous test's execution continued with.
        var first = new OrchestrationHarness(TestRuns.Input(TestRuns.Gated, decisionsPerExecution: 3));
        _ = first.Start();
        first.Steps[0].Complete(TestRuns.Succeeded(first.Steps[0].Invocation));
        var run = new OrchestrationHarness(first.ContinuedWith!);
        var approvalId = first.ContinuedWith!.CarryOver!.State.Nodes["gate"].ApprovalId!;

        // Act
        var result = run.Start();
        run.PendingTimers.ShouldHaveSingleItem().FireAt.ShouldBe(first.Now.AddHours(1));
        run.Raise(new SignalReceived(SignalKind.Approve, "bob", approvalId));
        run.Steps.ShouldHaveSingleItem().Invocation.NodeId.ShouldBe("act");
        run.Steps[0].Complete(TestRuns.Succeeded(run.Steps[0].Invocation, "acted"));

        // Assert
        (await result).Status.ShouldBe(RunStatus.Completed);
        run.Projections[0].Version.ShouldBe(first.ContinuedWith.CarryOver.Decisions + 1);
        run.Projections[0].EventsBefore.ShouldBe(first.ContinuedWith.CarryOver.Events);
        run.Projections[0].Commands.OfType<CloseApproval>().ShouldHaveSingleItem().Outcome.ShouldBe(ApprovalOutcome.Approved);
        run.Context.DidNotReceive().ContinueAsNew(Arg.Any<object?>(), Arg.Any<bool>());
    }
}
