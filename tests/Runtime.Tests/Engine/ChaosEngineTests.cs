using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shouldly;
using Warden.Core.Runs;
using Warden.Core.Runs.Chaos;
using Warden.Runtime.Engine;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Providers;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Engine;

/// <summary>Runs that ask for chaos, on the real embedded engine over SQLite: the faults go through the real handling.</summary>
public sealed class ChaosEngineTests
{
    private const string FastRetry = "retry: { max_attempts: 6, initial_backoff: 10ms, max_backoff: 20ms }";

    [Fact]
    public async Task StartRun_ProviderErrorRate_RetriesAndCompletes_PlainRunBesideItSeesNoFault()
    {
        // Arrange
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Sequential(nodes: 4, retry: FastRetry));
        var chaos = new ChaosSettings(ProviderErrorRate: 0.5);

        // Act
        var chaotic = warden.Engine.StartRunAsync(new StartRunRequest("demo", "seq", null, """{"task":"x"}""", 11, new RunOptions(Chaos: chaos)));
        var plain = warden.Engine.StartRunAsync(new StartRunRequest("demo", "seq", null, """{"task":"x"}""", 11));
        var chaosRun = await warden.WaitForEndAsync((await chaotic).RunId);
        var plainRun = await warden.WaitForEndAsync((await plain).RunId);

        // Assert
        chaosRun.Status.ShouldBe("completed");
        plainRun.Status.ShouldBe("completed");
        var chaosCalls = await CallsAsync(warden, chaosRun.Id);
        chaosCalls.Count(c => c.Error?.Contains("chaos: injected provider error") == true).ShouldBeGreaterThan(0);
        chaosCalls.Where(c => !c.Succeeded).ShouldAllBe(c => c.Injected);
        (await CallsAsync(warden, plainRun.Id)).ShouldAllBe(c => c.Succeeded && !c.Injected);
        (await warden.EventsAsync(plainRun.Id)).Where(e => e.Type == "node.completed").Select(e => Data(e)["failed_calls"]).ShouldAllBe(n => n == "0");

        // Injected faults are not the provider's errors: no usage row and no breaker failure records them.
        warden.Scalar<long>("SELECT COUNT(*) FROM llm_usage WHERE run_id = $r AND outcome <> 'success'", ("$r", chaosRun.Id)).ShouldBe(0);
        warden.Scalar<long>("SELECT COUNT(*) FROM llm_usage WHERE run_id = $r", ("$r", chaosRun.Id)).ShouldBe(4);
    }

    [Fact]
    public async Task StartRun_RateLimited_WaitsForTheRetryAfterOnTheClockThenSucceeds()
    {
        // Arrange
        var chaos = new ChaosSettings(RateLimitRate: 0.5, RetryAfter: TimeSpan.FromSeconds(5));
        var seed = SeedWhere(s => ChaosPlan.ForProviderCall(chaos, s, "n1", 1, 1, 1) == ChaosFault.RateLimited && ChaosPlan.ForProviderCall(chaos, s, "n1", 1, 1, 2) == ChaosFault.None);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero));
        await using var warden = await TestWarden.StartAsync(clock: clock);
        await warden.UploadAsync(Support.Graphs.Sequential(nodes: 1));

        // Act
        var runId = (await warden.Engine.StartRunAsync(new StartRunRequest("demo", "seq", null, """{"task":"x"}""", seed, new RunOptions(Chaos: chaos)))).RunId;
        var run = await AdvanceUntilEndAsync(warden, clock, runId, TimeSpan.FromMilliseconds(250), maxSteps: 200);

        // Assert
        run.Status.ShouldBe("completed");
        var node = NodeOf(run, "n1");
        var calls = node.GetProperty("calls").EnumerateArray().ToList();
        calls.Count.ShouldBe(2);
        calls[0].GetProperty("error").GetString()!.ShouldContain("HTTP 429");
        calls[1].GetProperty("succeeded").GetBoolean().ShouldBeTrue();
        node.GetProperty("attempt").GetInt32().ShouldBe(1); // the router's retry, not the decider's: one attempt
        var waited = node.GetProperty("ended_at").GetDateTimeOffset() - node.GetProperty("started_at").GetDateTimeOffset();
        waited.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task StartRun_TimeoutRate_NodeTimeoutFiresOnTheClockAndTheNextAttemptCompletes()
    {
        // Arrange
        var chaos = new ChaosSettings(TimeoutRate: 0.5);
        var seed = SeedWhere(s => ChaosPlan.ForProviderCall(chaos, s, "n1", 1, 1, 1) == ChaosFault.Timeout && ChaosPlan.ForProviderCall(chaos, s, "n1", 1, 2, 1) == ChaosFault.None);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero));
        await using var warden = await TestWarden.StartAsync(clock: clock);
        await warden.UploadAsync(Support.Graphs.Sequential(nodes: 1, retry: "timeout: 1h\n  " + FastRetry));

        // Act: an hour on the fake clock, which no real timer would wait out in this test.
        var runId = (await warden.Engine.StartRunAsync(new StartRunRequest("demo", "seq", null, """{"task":"x"}""", seed, new RunOptions(Chaos: chaos)))).RunId;
        var run = await AdvanceUntilEndAsync(warden, clock, runId, TimeSpan.FromMinutes(5), maxSteps: 100);

        // Assert
        run.Status.ShouldBe("completed");
        var events = await warden.EventsAsync(runId);
        var failed = events.Single(e => e.Type == "node.failed");
        failed.Attempt.ShouldBe(1);
        Data(failed)["error"].ShouldContain("timed out");
        events.Single(e => e.Type == "node.completed").Attempt.ShouldBe(2);
    }

    [Fact]
    public async Task StartRun_ToolFailureRate_FailsTheAttemptWithoutCallingTheToolThenCompletes()
    {
        // Arrange
        var chaos = new ChaosSettings(ToolFailureRate: 0.5);
        var seed = SeedWhere(s => ChaosPlan.ForToolCall(chaos, s, "lookup", 1, 1) == ChaosFault.ToolFailure && ChaosPlan.ForToolCall(chaos, s, "lookup", 1, 2) == ChaosFault.None);
        await using var tool = await FakeProviderServer.StartAsync();
        tool.Reply = ctx => FakeProviderServer.Respond(ctx, 200, """{"found":true}""");
        await using var warden = await TestWarden.StartAsync();
        var now = DateTimeOffset.UtcNow.ToString("O");
        (await warden.Catalog.SaveToolAsync("demo", new ToolRecord { Name = "crm.lookup", ActionClass = "read", Endpoint = tool.BaseUrl + "lookup", CreatedAt = now, UpdatedAt = now }, create: true)).ShouldBeTrue();
        await warden.UploadAsync($$$"""
            name: tooled
            defaults:
              {{{FastRetry}}}
            nodes:
              - { id: lookup, kind: tool, tool: crm.lookup, input: "{{input.task}}" }
              - { id: report, role: finalizer, prompt: "report {{upstream}}" }
            edges: [ "lookup -> report" ]
            """);

        // Act
        var runId = (await warden.Engine.StartRunAsync(new StartRunRequest("demo", "tooled", null, """{"task":"acme"}""", seed, new RunOptions(Chaos: chaos)))).RunId;
        var run = await warden.WaitForEndAsync(runId);

        // Assert
        run.Status.ShouldBe("completed");
        var failed = (await warden.EventsAsync(runId)).Single(e => e.Type == "node.failed");
        failed.NodeId.ShouldBe("lookup");
        Data(failed)["error"].ShouldContain("answered 503 (chaos: injected tool failure");
        tool.Received.Count.ShouldBe(1); // the failed attempt never reached the tool
    }

    [Fact]
    public async Task StartRun_CrashAfterStepsInAnOptedInProcess_KillsOnceAfterTheKthStepsCommit()
    {
        // Arrange: the kill itself is stood in for; the real SIGKILL is proven by Cli.Tests through `warden test`.
        var kills = new List<(string RunId, long CompletedAtKill)>();
        TestWarden? warden = null;
        var options = new EngineOptions
        {
            AllowChaosCrash = true,
            ChaosKill = id => kills.Add((id, warden!.Scalar<long>("SELECT COUNT(*) FROM run_events WHERE run_id = $r AND type = 'node.completed'", ("$r", id)))),
        };
        warden = await TestWarden.StartAsync(services: s => s.AddSingleton(options));
        await using var _ = warden;
        await warden.UploadAsync(Support.Graphs.Sequential(nodes: 4));

        // Act
        var runId = (await warden.Engine.StartRunAsync(new StartRunRequest("demo", "seq", null, """{"task":"x"}""", 3, new RunOptions(Chaos: new ChaosSettings(CrashAfterSteps: 2))))).RunId;
        var run = await warden.WaitForEndAsync(runId);

        // Assert
        run.Status.ShouldBe("completed");
        kills.ShouldBe([(runId, 2L)]); // the k-th step was durable when the process was to die
        var types = (await warden.EventsAsync(runId)).Select(e => e.Type).Where(t => t is "node.completed" or ChaosCrash.CrashEvent).ToList();
        types.ShouldBe(["node.completed", "node.completed", ChaosCrash.CrashEvent, "node.completed", "node.completed"]);
        warden.Engine.CrashRefusal.ShouldBeNull();
    }

    [Fact]
    public async Task StartRun_CrashAfterStepsInAProcessThatDidNotOptIn_RecordsTheCrashAsSkipped()
    {
        // Arrange
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Sequential(nodes: 3));

        // Act
        var runId = (await warden.Engine.StartRunAsync(new StartRunRequest("demo", "seq", null, """{"task":"x"}""", 3, new RunOptions(Chaos: new ChaosSettings(CrashAfterSteps: 1))))).RunId;
        var run = await warden.WaitForEndAsync(runId);

        // Assert
        run.Status.ShouldBe("completed");
        warden.Engine.CrashRefusal!.ShouldContain("WARDEN_CHAOS_CRASH=allow");
        var events = await warden.EventsAsync(runId);
        events.ShouldNotContain(e => e.Type == ChaosCrash.CrashEvent);
        Data(events.Single(e => e.Type == ChaosCrash.SkippedEvent))["message"].ShouldContain("did not opt in");
    }

    private static long SeedWhere(Func<long, bool> condition) =>
        Enumerable.Range(1, 10_000).Select(i => (long)i).First(condition);

    private static async Task<RunRecord> AdvanceUntilEndAsync(TestWarden warden, FakeTimeProvider clock, string runId, TimeSpan step, int maxSteps)
    {
        for (var i = 0; i < maxSteps; i++)
        {
            var run = await warden.Runs.GetAsync("demo", runId);
            if (run is { Status: "completed" or "failed" or "stopped" })
            {
                return run;
            }

            clock.Advance(step);
            await warden.Engine.WaitForChangeAsync(runId, TimeSpan.FromMilliseconds(50));
        }

        throw new TimeoutException($"run {runId} did not end within {maxSteps} steps of {step} on the fake clock");
    }

    private static JsonElement NodeOf(RunRecord run, string nodeId)
    {
        var state = JsonSerializer.Deserialize<JsonElement>(run.State);
        return state.GetProperty("nodes").GetProperty(nodeId);
    }

    private static async Task<List<ProviderCall>> CallsAsync(TestWarden warden, string runId)
    {
        var run = (await warden.Runs.GetAsync("demo", runId))!;
        var state = Core.Serialization.WardenJson.Deserialize<RunState>(run.State);
        var events = await warden.EventsAsync(runId);
        events.ShouldNotBeEmpty();
        return state.Nodes.Values.SelectMany(n => n.Calls ?? []).ToList();
    }

    private static Dictionary<string, string> Data(RunEventRecord e) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(e.Data ?? "{}")!;
}
