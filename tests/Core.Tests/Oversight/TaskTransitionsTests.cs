using Shouldly;
using Warden.Core.Oversight.Tasks;
using Xunit;

namespace Warden.Core.Tests.Oversight;

public sealed class TaskTransitionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TaskOptions Options = new(TimeSpan.FromSeconds(30), 3);

    [Fact]
    public void Create_WithAssignee_AssignsAndStartsAckTimer()
    {
        var decision = Create();

        decision.State.Status.ShouldBe(OversightStatus.Assigned);
        decision.Commands.ShouldContain(new TaskCommand.StartTimer("ack:0", T0.AddSeconds(30)));
    }

    [Fact]
    public void Apply_NoAckThreeTimes_RetriesThenEscalatesOnFourthTimeout()
    {
        var state = Create().State;
        var retries = new List<int>();

        for (var i = 0; i < 4; i++)
        {
            var fired = TaskTransitions.Apply(state, new TaskEvent.TimerFired(TaskTransitions.AckTag(state.Retries)), T0.AddSeconds(30 * (i + 1)));
            state = fired.State;
            retries.Add(state.Retries);
        }

        retries.ShouldBe([1, 2, 3, 3]);
        state.Status.ShouldBe(OversightStatus.Escalated);
        state.EscalationReason!.ShouldContain("not acknowledged within 30s");
        state.EscalationReason!.ShouldContain("retried 3 times");
    }

    [Fact]
    public void Apply_AckBeforeTimeout_CancelsTimerAndLateTimerIsIgnored()
    {
        var state = Create().State;

        var acked = TaskTransitions.Apply(state, new TaskEvent.Ack("agent-7"), T0.AddSeconds(5));
        var late = TaskTransitions.Apply(acked.State, new TaskEvent.TimerFired("ack:0"), T0.AddSeconds(30));

        acked.State.Status.ShouldBe(OversightStatus.Acked);
        acked.Commands.ShouldContain(new TaskCommand.CancelTimer("ack:0"));
        late.State.ShouldBeSameAs(acked.State);
        late.Commands.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(0, OversightStatus.Assigned)]
    [InlineData(3, OversightStatus.Escalated)]
    public void Apply_FailureInProgress_RetriesUntilMaxThenEscalates(int earlierRetries, OversightStatus expected)
    {
        var state = Create().State with { Status = OversightStatus.InProgress, Retries = earlierRetries };

        var failed = TaskTransitions.Apply(state, new TaskEvent.Fail("agent-7", "tool timed out"), T0.AddMinutes(1));

        failed.State.Status.ShouldBe(expected);
        failed.State.LastError.ShouldBe("tool timed out");
    }

    [Theory]
    [InlineData("ack-by-other")]
    [InlineData("start-before-ack")]
    [InlineData("verify-before-complete")]
    public void Apply_InvalidTransition_Throws(string which)
    {
        var state = Create().State;
        TaskEvent evt = which switch
        {
            "ack-by-other" => new TaskEvent.Ack("someone-else"),
            "start-before-ack" => new TaskEvent.Start("agent-7"),
            _ => new TaskEvent.Verify("rev"),
        };

        Should.Throw<InvalidTaskTransitionException>(() => TaskTransitions.Apply(state, evt, T0.AddSeconds(1)));
    }

    [Fact]
    public void Apply_HappyPath_EndsVerified()
    {
        var state = Create().State;

        foreach (var evt in new TaskEvent[] { new TaskEvent.Ack("agent-7"), new TaskEvent.Start("agent-7"), new TaskEvent.Complete("agent-7", "done"), new TaskEvent.Verify("rev") })
        {
            state = TaskTransitions.Apply(state, evt, T0.AddSeconds(1)).State;
        }

        state.Status.ShouldBe(OversightStatus.Verified);
        state.Result.ShouldBe("done");
    }

    [Fact]
    public void Apply_ResolveEscalationWithAssignee_HandsOutAgainWithFreshRetries()
    {
        var state = Create().State with { Status = OversightStatus.Escalated, Retries = 3, EscalationReason = "x" };

        var resolved = TaskTransitions.Apply(state, new TaskEvent.Resolve("rev", "agent-9", "new owner"), T0.AddMinutes(5));

        resolved.State.Status.ShouldBe(OversightStatus.Assigned);
        resolved.State.Assignee.ShouldBe("agent-9");
        resolved.State.Retries.ShouldBe(0);
        resolved.Commands.ShouldContain(new TaskCommand.StartTimer("ack:0", T0.AddMinutes(5).AddSeconds(30)));
    }

    private static TaskDecision Create() => TaskTransitions.Create("task_1", "demo", "check the refund", "agent-7", null, "operator:k", Options, T0);
}
