using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Core.Guardrails.Budget;
using Warden.Runtime.Engine;
using Warden.Runtime.Providers;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Guardrails;

/// <summary>Breakers, LLM rate limits and budgets as the embedded engine applies them, on a real SQLite store.</summary>
public sealed class GuardrailEngineTests
{
    private const string FallbackGraph = """
        name: fallback
        defaults:
          providers: [ "flaky:m1", "mock:mock-1" ]
          retries: 0
        nodes:
          - { id: a, role: researcher, prompt: "a {{input.task}}" }
          - { id: b, role: planner, prompt: "b {{upstream}}" }
          - { id: c, role: coder, prompt: "c {{upstream}}" }
        edges: [ "a -> b", "b -> c" ]
        """;

    [Fact]
    public async Task Run_ProviderFailsFiveTimes_BreakerOpensAndRunCompletesOnFallback()
    {
        var flaky = new ScriptedProvider("flaky");
        await using var warden = await TestWarden.StartAsync(services: s => s.AddSingleton<ILlmClient>(flaky));
        await warden.UploadAsync(FallbackGraph);

        var run = await warden.WaitForEndAsync((await warden.StartAsync("fallback")).RunId);

        run.Status.ShouldBe("completed");
        var breaker = (await warden.Usage.GuardrailsAsync("demo")).Single(r => r.Key == "breaker:flaky");
        breaker.State.ShouldContain("\"status\":\"open\"");
        // a: 3 flaky calls (1 + 2 in-call retries), b: 3 more (now 6 consecutive, open), c: flaky skipped.
        flaky.Calls.ShouldBe(6);
        warden.Scalar<long>("SELECT COUNT(*) FROM llm_usage WHERE run_id = $r AND node_id = 'c' AND provider = 'flaky'", ("$r", run.Id)).ShouldBe(0);
        warden.Scalar<long>("SELECT COUNT(*) FROM llm_usage WHERE run_id = $r AND provider = 'mock' AND outcome = 'success'", ("$r", run.Id)).ShouldBe(3);
    }

    [Fact]
    public async Task Run_AfterBreakTime_BreakerHalfOpensAndClosesOnSuccessfulProbe()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-03-01T00:00:00Z", CultureInfo.InvariantCulture));
        var flaky = new ScriptedProvider("flaky");
        await using var warden = await TestWarden.StartAsync(clock: clock, services: s => s.AddSingleton<ILlmClient>(flaky));
        await warden.UploadAsync(FallbackGraph);
        await warden.WaitForEndAsync((await warden.StartAsync("fallback")).RunId);
        var callsWhileOpen = flaky.Calls;

        flaky.Failing = false;
        clock.Advance(TimeSpan.FromSeconds(31));
        var second = await warden.WaitForEndAsync((await warden.StartAsync("fallback")).RunId);

        second.Status.ShouldBe("completed");
        flaky.Calls.ShouldBe(callsWhileOpen + 3); // the probe on a succeeded, then b and c on a closed breaker
        (await warden.Usage.GuardrailsAsync("demo")).Single(r => r.Key == "breaker:flaky").State.ShouldContain("\"status\":\"closed\"");
    }

    [Fact]
    public async Task Run_SmallRunBudget_KilledWithBudgetExceededAndSpendStopsAtBudget()
    {
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync("""
            name: pricey
            budget: { max_cost_usd: 0.00095 }
            nodes:
              - { id: a, role: researcher, prompt: "research {{input.task}}" }
              - { id: b, role: planner, prompt: "plan {{upstream}}" }
              - { id: c, role: coder, prompt: "code {{upstream}}" }
              - { id: d, role: finalizer, prompt: "sum {{upstream}}" }
            edges: [ "a -> b", "b -> c", "c -> d" ]
            """);

        var run = await warden.WaitForEndAsync((await warden.StartAsync("pricey", """{"task":"x"}""")).RunId);

        run.Status.ShouldBe("failed", $"cost {run.CostUsd}; guardrails: {string.Join(" | ", (await warden.Usage.GuardrailsAsync("demo")).Select(r => r.Key + "=" + r.State))}");
        run.ErrorCode.ShouldBe(BudgetLedger.ExceededCode);
        run.Error!.ShouldContain("budget:run:" + run.Id);
        decimal.Parse(run.CostUsd, CultureInfo.InvariantCulture).ShouldBeLessThanOrEqualTo(0.00095m);
        decimal.Parse(run.CostUsd, CultureInfo.InvariantCulture).ShouldBeGreaterThan(0m);
        (await warden.EventsAsync(run.Id)).ShouldContain(e => e.Type == "budget.exceeded");
    }

    [Fact]
    public async Task StartRun_TenantBudgetSpent_RefusedUntilRaised()
    {
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Sequential(nodes: 2));
        await warden.WaitForEndAsync((await warden.StartAsync("seq")).RunId);
        var spent = warden.Scalar<long>("SELECT COUNT(*) FROM llm_usage");

        await warden.Engine.SetBudgetAsync("demo", null, new BudgetLimit(0.0000001m, null));
        var refused = await Should.ThrowAsync<BudgetExceededException>(() => warden.StartAsync("seq"));
        await warden.Engine.SetBudgetAsync("demo", null, new BudgetLimit(100m, null));
        var allowed = await warden.WaitForEndAsync((await warden.StartAsync("seq")).RunId);

        spent.ShouldBe(2);
        refused.Message.ShouldContain("monthly budget is spent");
        allowed.Status.ShouldBe("completed");
    }

    [Fact]
    public async Task Run_LlmRateLimitReached_NodeWaitsOnTimerThenContinues()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-03-01T00:00:10Z", CultureInfo.InvariantCulture));
        await using var warden = await TestWarden.StartAsync(clock: clock, configure: s => s.Guardrails.LlmCallsPerMinute = 2);
        await warden.UploadAsync(Support.Graphs.Sequential(nodes: 3));
        var runId = (await warden.StartAsync("seq")).RunId;

        var throttled = await warden.WaitForAsync(runId, _ => warden.EventsAsync(runId).Result.Any(e => e.Type == "node.throttled"));
        clock.Advance(TimeSpan.FromMinutes(2));
        var run = await warden.WaitForEndAsync(runId);

        throttled.Status.ShouldBe("running");
        run.Status.ShouldBe("completed");
        (await warden.EventsAsync(runId)).Single(e => e.Type == "node.throttled").NodeId.ShouldBe("n3");
    }
}
