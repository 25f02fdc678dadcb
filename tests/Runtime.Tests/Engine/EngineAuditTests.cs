using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Core.Audit;
using Warden.Core.Runs;
using Warden.Runtime.Providers;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Engine;

/// <summary>Governance decisions the engine audits in the transaction of the decision itself.</summary>
public sealed class EngineAuditTests
{
    private static async Task<IReadOnlyList<AuditEntry>> AuditAsync(TestWarden warden, string action) =>
        (await warden.Audit.QueryAsync("demo", new AuditQuery(Action: action))).Items;

    private static async Task<ApprovalRecord> PendingApprovalAsync(TestWarden warden, string runId)
    {
        await warden.WaitForAsync(runId, _ => warden.Runs.ListApprovalsAsync("demo", runId, "pending").Result.Count == 1);
        return (await warden.Runs.ListApprovalsAsync("demo", runId, "pending")).Single();
    }

    [Fact]
    public async Task Signal_ApprovalApproved_AuditedWithTheDecidingActor()
    {
        // Arrange
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Gate);
        var started = await warden.StartAsync("gated");
        var approval = await PendingApprovalAsync(warden, started.RunId);

        // Act
        await warden.Engine.SignalAsync("demo", started.RunId, new SignalReceived(SignalKind.Approve, "reviewer:key_r", approval.Id, "fine"));
        await warden.WaitForEndAsync(started.RunId);

        // Assert
        var row = (await AuditAsync(warden, "approval.approved")).Single();
        row.Actor.ShouldBe("reviewer:key_r");
        row.Target.ShouldBe(approval.Id);
        (await warden.Audit.VerifyAsync("demo")).Ok.ShouldBeTrue();
    }

    [Fact]
    public async Task Timers_ApprovalDeadlinePasses_ExpiryAuditedBySystem()
    {
        // Arrange
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var warden = await TestWarden.StartAsync(clock: clock);
        await warden.UploadAsync(Support.Graphs.Gate);
        var started = await warden.StartAsync("gated");
        var approval = await PendingApprovalAsync(warden, started.RunId);

        // Act
        clock.Advance(TimeSpan.FromHours(2));
        await warden.WaitForEndAsync(started.RunId);

        // Assert
        var row = (await AuditAsync(warden, "approval.expired")).Single();
        row.Actor.ShouldBe(RunDecider.SystemActor);
        row.Target.ShouldBe(approval.Id);
        row.At.ShouldBe(clock.GetUtcNow());
    }

    [Fact]
    public async Task Timers_EscalatingDeadlinePasses_EscalationAudited()
    {
        // Arrange
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var warden = await TestWarden.StartAsync(clock: clock);
        await warden.UploadAsync(Support.Graphs.Gate.Replace("on_timeout: fail", "on_timeout: escalate", StringComparison.Ordinal));
        var started = await warden.StartAsync("gated");
        var approval = await PendingApprovalAsync(warden, started.RunId);

        // Act
        clock.Advance(TimeSpan.FromHours(2));
        await warden.WaitForAsync(started.RunId, _ => warden.Runs.GetApprovalAsync("demo", approval.Id).Result!.Escalated);

        // Assert
        (await AuditAsync(warden, "approval.escalated")).Single().Target.ShouldBe(approval.Id);
    }

    [Fact]
    public async Task Run_OverItsBudget_KillAuditedOnTheRun()
    {
        // Arrange
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

        // Act
        var run = await warden.WaitForEndAsync((await warden.StartAsync("pricey", """{"task":"x"}""")).RunId);

        // Assert
        run.Status.ShouldBe("failed");
        (await AuditAsync(warden, "run.budget_killed")).Single().Target.ShouldBe(run.Id);
        (await warden.Audit.VerifyAsync("demo")).Ok.ShouldBeTrue();
    }

    [Fact]
    public async Task Run_ProviderKeepsFailing_BreakerOpeningAuditedOnce()
    {
        // Arrange
        var flaky = new ScriptedProvider("flaky");
        await using var warden = await TestWarden.StartAsync(services: s => s.AddSingleton<ILlmClient>(flaky));
        await warden.UploadAsync("""
            name: fallback
            defaults:
              providers: [ "flaky:m1", "mock:mock-1" ]
              retries: 0
            nodes:
              - { id: a, role: researcher, prompt: "a {{input.task}}" }
              - { id: b, role: planner, prompt: "b {{upstream}}" }
              - { id: c, role: coder, prompt: "c {{upstream}}" }
            edges: [ "a -> b", "b -> c" ]
            """);

        // Act
        var run = await warden.WaitForEndAsync((await warden.StartAsync("fallback")).RunId);

        // Assert
        run.Status.ShouldBe("completed");
        var row = (await AuditAsync(warden, "breaker.opened")).Single();
        row.Target.ShouldBe("flaky");
        row.Actor.ShouldBe(RunDecider.SystemActor);
    }
}
