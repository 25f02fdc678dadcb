using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Runs;

/// <summary>Guardrail admission: every attempt asks first; the answer admits, throttles or kills the run.</summary>
public sealed class RunDeciderAdmissionTests
{
    private const string Graph = """
        name: admit
        budget: { max_cost_usd: 0.5 }
        defaults:
          providers: [ "openai:gpt-4o-mini", "anthropic:claude-haiku-4-5@eu" ]
        nodes:
          - { id: a, role: planner, prompt: "plan {{input.task}}" }
          - { id: b, role: coder, prompt: "code {{upstream}}" }
        edges: [ "a -> b" ]
        """;

    private static readonly DateTimeOffset T0 = new(2025, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly RunDecider _decider = new(GraphParser.Parse(Graph));

    [Fact]
    public void Start_FirstNode_AsksGuardrailsWithCandidatesPromptSizeAndRunBudget()
    {
        var start = Start();

        var ask = start.Commands.OfType<AskGuardrails>().ShouldHaveSingleItem();
        start.Commands.OfType<ExecuteNode>().ShouldBeEmpty();
        ask.NodeId.ShouldBe("a");
        ask.Candidates.Select(c => c.ToString()).ShouldBe(["openai:gpt-4o-mini", "anthropic:claude-haiku-4-5@eu"]);
        ask.PromptTokens.ShouldBeGreaterThan(0);
        ask.RunBudget!.MaxCostUsd.ShouldBe(0.5m);
        ask.ReservationKey("run-1").ShouldBe("run-1/a/1/1");
        start.State.Nodes["a"].Status.ShouldBe(NodeStatus.Admitting);
    }

    [Fact]
    public void Apply_Admitted_ExecutesOnTheAdmittedProvidersInOrder()
    {
        var start = Start();
        var admitted = new ProviderChoice("anthropic", "claude-haiku-4-5", "eu");

        var decision = _decider.Apply(start.State, new GuardrailAnswered("a", 1, 1, AdmissionVerdict.Admitted, [admitted]), At(1));

        var inv = decision.Commands.OfType<ExecuteNode>().ShouldHaveSingleItem().Invocation;
        inv.Candidates.ShouldBe([admitted]);
        inv.Provider.ShouldBe("anthropic");
        decision.Commands.ShouldContain(c => c is StartTimer && ((StartTimer)c).Tag == "timeout:a:1:1");
        decision.State.Nodes["a"].Status.ShouldBe(NodeStatus.Running);
    }

    [Theory]
    [InlineData(null, 100)]
    [InlineData(50, 100)]
    [InlineData(2500, 2500)]
    public void Apply_Throttled_WaitsOnAdmitTimerThenAsksAgain(int? retryAfterMs, int expectedWaitMs)
    {
        var start = Start();
        TimeSpan? retryAfter = retryAfterMs is null ? null : TimeSpan.FromMilliseconds(retryAfterMs.Value);

        var throttled = _decider.Apply(start.State, new GuardrailAnswered("a", 1, 1, AdmissionVerdict.Throttled, [], "at the rate limit", retryAfter), At(1));
        var timer = throttled.Commands.OfType<StartTimer>().ShouldHaveSingleItem();
        var again = _decider.Apply(throttled.State, new TimerFired(timer.Tag), At(2));

        timer.Tag.ShouldBe("admit:a:1:1");
        timer.Due.ShouldBe(At(1).Now + TimeSpan.FromMilliseconds(expectedWaitMs));
        throttled.State.Nodes["a"].Status.ShouldBe(NodeStatus.Admitting);
        again.Commands.OfType<AskGuardrails>().ShouldHaveSingleItem().Attempt.ShouldBe(1);
    }

    [Fact]
    public void Apply_BudgetExceeded_FailsRunWithCodeAndReason()
    {
        var start = Start();

        var decision = _decider.Apply(start.State, new GuardrailAnswered("a", 1, 1, AdmissionVerdict.BudgetExceeded, [], "budget budget:run:run-1 of $0.5 would be exceeded"), At(1));

        decision.State.Status.ShouldBe(RunStatus.Failed);
        decision.State.ErrorCode.ShouldBe("BUDGET_EXCEEDED");
        decision.State.Error.ShouldBe("budget budget:run:run-1 of $0.5 would be exceeded");
        decision.Commands.OfType<FinishRun>().ShouldHaveSingleItem().ErrorCode.ShouldBe("BUDGET_EXCEEDED");
        decision.State.Nodes["a"].Status.ShouldBe(NodeStatus.Cancelled);
    }

    [Fact]
    public void Apply_AnswerForAnotherAttempt_IsStale()
    {
        var start = Start();

        var decision = _decider.Apply(start.State, new GuardrailAnswered("a", 1, 2, AdmissionVerdict.Admitted, []), At(1));

        decision.State.ShouldBeSameAs(start.State);
        decision.Commands.ShouldBeEmpty();
    }

    [Fact]
    public void Apply_NodeResult_RecordsOutcomeWithCallsBeforeMovingOn()
    {
        var running = _decider.Apply(Start().State, new GuardrailAnswered("a", 1, 1, AdmissionVerdict.Admitted, [new ProviderChoice("openai", "gpt-4o-mini", null)]), At(1));
        var call = new ProviderCall("openai", "gpt-4o-mini", null, true, false, null, 12, new Usage(10, 5, 0.001m));

        var decision = _decider.Apply(running.State, new NodeSucceeded("a", 1, 1, "1. plan", new Usage(10, 5, 0.001m), "openai", "gpt-4o-mini", 12, [call]), At(2));

        var record = decision.Commands[0].ShouldBeOfType<RecordOutcome>();
        record.ReservationKey.ShouldBe("run-1/a/1/1");
        record.Calls.ShouldBe([call]);
        decision.Commands.OfType<AskGuardrails>().ShouldHaveSingleItem().NodeId.ShouldBe("b");
    }

    private Decision Start() => _decider.Start(new RunStart("run-1", "t", "admit", 1, """{"task":"x"}""", 5), At(0));

    private static RunContext At(int seconds) => new(T0.AddSeconds(seconds));
}
