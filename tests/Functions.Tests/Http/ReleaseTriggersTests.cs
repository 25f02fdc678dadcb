using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Warden.Runtime.Releases;
using Shouldly;
using Warden.Functions.Tests.Dispatcher;
using Warden.Functions.Tests.Engines;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Functions.Tests.Http;

/// <summary>
/// Releases on the Functions host: channels and rollback through its HTTP triggers, kept in the app's tables, and the
/// runs they resolve to running on the Durable engine over a real task hub on Azurite; a second instance sees the same.
/// </summary>
[Collection(AzuriteServer.Collection)]
public sealed class ReleaseTriggersTests(AzuriteServer azurite)
{
    [Fact]
    public async Task ReleaseAndRollback_OnFunctionsHost_RunsFollowActiveOnEveryInstance()
    {
        // Arrange: two versions of one graph; v1 active, then v2 promoted
        await using var first = await DurableWarden.StartAsync(azurite.ConnectionString);
        await first.CallTriggerAsync((t, r, c) => t.CreateGraph(r, c), "POST", "/api/v1/graphs", Scenarios.Sequential, "application/yaml");
        await first.CallTriggerAsync((t, r, c) => t.CreateGraph(r, c), "POST", "/api/v1/graphs", Scenarios.Sequential + "\n# v2\n", "application/yaml");
        var (released, _) = await first.CallTriggerAsync((t, r, c) => t.CreateRelease(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/releases", """{"version":1,"channel":"active"}""");
        var (promoted, _) = await first.CallTriggerAsync((t, r, c) => t.CreateRelease(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/releases", """{"version":2,"channel":"active"}""");

        // Act
        await using var second = await DurableWarden.StartAsync(azurite.ConnectionString, join: first);
        var (_, onV2) = await second.CallTriggerAsync((t, r, c) => t.StartRun(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/runs", """{"input":{"task":"ship"},"wait_seconds":60}""");
        var (rolledBack, rollback) = await second.CallTriggerAsync((t, r, c) => t.Rollback(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/rollback", """{"reason":"v2 misbehaves"}""");
        var (_, onV1) = await first.CallTriggerAsync((t, r, c) => t.StartRun(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/runs", """{"input":{"task":"ship"},"wait_seconds":60}""");
        var (_, releases) = await first.CallTriggerAsync((t, r, c) => t.ListReleases(r, c, "sequential"), "GET", "/api/v1/graphs/sequential/releases");
        var (_, snapshots) = await second.CallTriggerAsync((t, r, c) => t.ListSnapshots(r, c, "sequential"), "GET", "/api/v1/graphs/sequential/snapshots");

        // Assert
        released.ShouldBe(StatusCodes.Status201Created);
        promoted.ShouldBe(StatusCodes.Status201Created);
        Json(onV2).GetProperty("status").GetString().ShouldBe("completed", onV2);
        Json(onV2).GetProperty("graph_version").GetInt64().ShouldBe(2, onV2);
        rolledBack.ShouldBe(StatusCodes.Status200OK, rollback);
        Json(onV1).GetProperty("graph_version").GetInt64().ShouldBe(1, onV1);
        Json(onV1).GetProperty("status").GetString().ShouldBe("completed", onV1);
        var active = Json(releases).GetProperty("channels").GetProperty("active").GetString();
        Json(onV1).GetProperty("snapshot_id").GetString().ShouldBe(active);
        Json(snapshots).GetProperty("items").GetArrayLength().ShouldBe(2, snapshots);
    }

    [Fact]
    public async Task Shadow_OnFunctionsHost_CandidateShadowsActiveRunsAndPairIsScored()
    {
        // Arrange: v1 active; v2 with another planner prompt as candidate, shadowing every active run
        await using var instance = await DurableWarden.StartAsync(azurite.ConnectionString);
        await instance.CallTriggerAsync((t, r, c) => t.CreateGraph(r, c), "POST", "/api/v1/graphs", Scenarios.Sequential, "application/yaml");
        await instance.CallTriggerAsync((t, r, c) => t.CreateGraph(r, c), "POST", "/api/v1/graphs", Scenarios.Sequential.Replace("{{input.task}}", "carefully, with risks, {{input.task}}", StringComparison.Ordinal), "application/yaml");
        await instance.CallTriggerAsync((t, r, c) => t.CreateRelease(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/releases", """{"version":1,"channel":"active"}""");
        var (configured, config) = await instance.CallTriggerAsync((t, r, c) => t.PutShadow(r, c, "sequential"), "PUT", "/api/v1/graphs/sequential/shadow", """{"version":2,"percent":100,"threshold":0.99}""");

        // Act
        var (_, started) = await instance.CallTriggerAsync((t, r, c) => t.StartRun(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/runs", """{"input":{"task":"ship"},"wait_seconds":60}""");
        var shadowRunId = Json(started).GetProperty("shadow_run_id").GetString()!;
        string shadow = "{}";
        for (var i = 0; i < 600 && Json(shadow).TryGetProperty("status", out var status) is var known && (!known || status.GetString() is "running"); i++)
        {
            (_, shadow) = await instance.CallTriggerAsync((t, r, c) => t.GetRun(r, c, shadowRunId), "GET", $"/api/v1/runs/{shadowRunId}");
            await Task.Delay(100);
        }

        var (_, results) = await instance.CallTriggerAsync((t, r, c) => t.GetShadowResults(r, c, "sequential"), "GET", "/api/v1/graphs/sequential/shadow/results");

        // Assert
        configured.ShouldBe(StatusCodes.Status200OK, config);
        Json(shadow).GetProperty("status").GetString().ShouldBe("completed", shadow);
        Json(shadow).GetProperty("graph_version").GetInt64().ShouldBe(2);
        var pair = Json(results).GetProperty("pairs").EnumerateArray().ShouldHaveSingleItem();
        pair.GetProperty("shadow_run_id").GetString().ShouldBe(shadowRunId);
        pair.GetProperty("score").GetDouble().ShouldBeLessThan(0.99, results);
        pair.GetProperty("flagged").GetBoolean().ShouldBeTrue(results);
    }

    [Fact]
    public async Task ReleaseGuard_OnFunctionsHost_AnswersThroughTheTriggerAndTheScheduledPassRollsBack()
    {
        // Arrange: v1 completes, v2's first step always fails; the SLOs ask every run to complete and allow rollback
        const string slos = "\nslos:\n  auto_rollback: true\n  min_runs: 1\n  objectives:\n    - success_rate: 1.0\n";
        var failing = Scenarios.Sequential.Replace("""prompt: "Plan {{input.task}}" }""", """prompt: "Plan {{input.task}}", mock: { error_rate: 1 } }""", StringComparison.Ordinal);
        failing.ShouldNotBe(Scenarios.Sequential);
        await using var host = await DurableWarden.StartAsync(azurite.ConnectionString);
        await host.CallTriggerAsync((t, r, c) => t.CreateGraph(r, c), "POST", "/api/v1/graphs", Scenarios.Sequential + slos, "application/yaml");
        await host.CallTriggerAsync((t, r, c) => t.CreateGraph(r, c), "POST", "/api/v1/graphs", failing + slos, "application/yaml");
        await host.CallTriggerAsync((t, r, c) => t.CreateRelease(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/releases", """{"version":1,"channel":"active"}""");
        var (_, onV1) = await host.CallTriggerAsync((t, r, c) => t.StartRun(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/runs", """{"input":{"task":"ship"},"wait_seconds":60}""");
        var guard = host.Services.GetRequiredService<ReleaseGuard>();
        var v1Check = (await guard.CheckActiveReleasesAsync()).ShouldHaveSingleItem();
        await host.CallTriggerAsync((t, r, c) => t.CreateRelease(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/releases", """{"version":2,"channel":"active"}""");
        var (_, onV2) = await host.CallTriggerAsync((t, r, c) => t.StartRun(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/runs", """{"input":{"task":"ship"},"wait_seconds":60}""");

        // Act
        var (status, answer) = await host.CallTriggerAsync((t, r, c) => t.EvaluateReleaseGuard(r, c), "POST", "/api/v1/releases/guard", """{"graph":"sequential","version":2,"environment":"prod"}""");
        var scheduled = (await guard.CheckActiveReleasesAsync()).ShouldHaveSingleItem();
        var (_, releases) = await host.CallTriggerAsync((t, r, c) => t.ListReleases(r, c, "sequential"), "GET", "/api/v1/graphs/sequential/releases");
        var (_, audit) = await host.CallTriggerAsync((t, r, c) => t.ListAudit(r, c), "GET", "/api/v1/audit");

        // Assert
        Json(onV1).GetProperty("status").GetString().ShouldBe("completed", onV1);
        Json(onV2).GetProperty("status").GetString().ShouldBe("failed", onV2);
        v1Check.Report.Passed.ShouldBeTrue();
        status.ShouldBe(StatusCodes.Status200OK, answer);
        Json(answer).GetProperty("passed").GetBoolean().ShouldBeFalse();
        var objective = Json(answer).GetProperty("objectives").EnumerateArray().ShouldHaveSingleItem();
        (objective.GetProperty("objective").GetString(), objective.GetProperty("measured").GetDouble(), objective.GetProperty("budget_left").GetDouble()).ShouldBe(("success_rate", 0.0, 0.0));
        scheduled.RolledBackTo.ShouldBe(v1Check.Report.SnapshotId);
        Json(releases).GetProperty("channels").GetProperty("active").GetString().ShouldBe(v1Check.Report.SnapshotId);
        var actions = Json(audit).GetProperty("items").EnumerateArray().Select(e => (e.GetProperty("action").GetString(), e.GetProperty("actor").GetString())).ToList();
        actions.Select(a => a.Item1).ShouldContain("release.guard_evaluated");
        actions.ShouldContain(("release.guard_breached", ReleaseGuard.SystemActor));
        actions.ShouldContain(("release.rolled_back", ReleaseGuard.SystemActor));
    }

    private static JsonElement Json(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }
}
