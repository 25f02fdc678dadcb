using Shouldly;
using Warden.Core.Runs;
using Warden.Runtime.Engine;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Engine;

public sealed class EmbeddedEngineTests
{
    [Fact]
    public async Task StartRun_SequentialGraph_CompletesWithEveryNodeOnceInTimeline()
    {
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Sequential(nodes: 4));

        var started = await warden.StartAsync("seq", """{"task":"sort numbers"}""");
        var run = await warden.WaitForEndAsync(started.RunId);

        run.Status.ShouldBe("completed");
        run.Output.ShouldNotBeNullOrWhiteSpace();
        run.InputTokens.ShouldBeGreaterThan(0);
        var completed = (await warden.EventsAsync(started.RunId)).Where(e => e.Type == "node.completed").Select(e => e.NodeId).ToList();
        completed.ShouldBe(["n1", "n2", "n3", "n4"]);
    }

    [Fact]
    public async Task StartRun_FlakyNode_RetriesWithBackoffAndRecordsEachAttemptOnce()
    {
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Sequential(nodes: 2, mock: "{ fail_first_attempts: 2 }", retry: "retry: { max_attempts: 3, initial_backoff: 10ms, max_backoff: 50ms }"));

        var started = await warden.StartAsync("seq");
        var run = await warden.WaitForEndAsync(started.RunId);

        run.Status.ShouldBe("completed");
        var events = await warden.EventsAsync(started.RunId);
        events.Count(e => e.Type == "node.failed" && e.NodeId == "n1").ShouldBe(2);
        events.Single(e => e.Type == "node.completed" && e.NodeId == "n1").Attempt.ShouldBe(3);
        await using var connection = warden.Database.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM llm_usage WHERE run_id = $r";
        cmd.Parameters.AddWithValue("$r", started.RunId);
        ((long)cmd.ExecuteScalar()!).ShouldBe(6); // three attempts per node, each recorded once
    }

    [Fact]
    public async Task StartRun_RetriesExhausted_FailsRunNamingTheNode()
    {
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Sequential(nodes: 2, mock: "{ fail_first_attempts: 5 }", retry: "retry: { max_attempts: 2, initial_backoff: 10ms, max_backoff: 20ms }"));

        var started = await warden.StartAsync("seq");
        var run = await warden.WaitForEndAsync(started.RunId);

        run.Status.ShouldBe("failed");
        run.Error!.ShouldContain("node 'n1' failed");
    }

    [Fact]
    public async Task Signal_ApproveGate_RunContinuesAndSecondDecisionIsRejected()
    {
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Gate);
        var started = await warden.StartAsync("gated", """{"task":"rotate keys"}""");
        await warden.WaitForAsync(started.RunId, _ => warden.Runs.ListApprovalsAsync("demo", started.RunId, "pending").Result.Count == 1);
        var approval = (await warden.Runs.ListApprovalsAsync("demo", started.RunId, "pending")).Single();

        var first = await warden.Engine.SignalAsync("demo", started.RunId, new SignalReceived(SignalKind.Approve, "operator:test", approval.Id));
        var second = await warden.Engine.SignalAsync("demo", started.RunId, new SignalReceived(SignalKind.Approve, "operator:test", approval.Id));
        var run = await warden.WaitForEndAsync(started.RunId);

        first.Status.ShouldBe(SignalStatus.Applied);
        second.Status.ShouldBe(SignalStatus.Rejected);
        run.Status.ShouldBe("completed");
        (await warden.Runs.GetApprovalAsync("demo", approval.Id))!.Status.ShouldBe("approved");
    }

    [Fact]
    public async Task Signal_OtherTenant_AnswersNotFound()
    {
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Gate);
        var started = await warden.StartAsync("gated");

        var result = await warden.Engine.SignalAsync("someone-else", started.RunId, new SignalReceived(SignalKind.Stop, "admin:x"));

        result.Status.ShouldBe(SignalStatus.NotFound);
        (await warden.Runs.GetAsync("someone-else", started.RunId)).ShouldBeNull();
    }

    [Fact]
    public async Task Timers_ApprovalDeadlinePassesOnControlledClock_FailsRun()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var warden = await TestWarden.StartAsync(clock: clock);
        await warden.UploadAsync(Support.Graphs.Gate);
        var started = await warden.StartAsync("gated");
        await warden.WaitForAsync(started.RunId, _ => warden.Runs.ListApprovalsAsync("demo", started.RunId, "pending").Result.Count == 1);

        clock.Advance(TimeSpan.FromHours(2));
        var run = await warden.WaitForEndAsync(started.RunId);

        run.Status.ShouldBe("failed");
        run.Error!.ShouldContain("deadline");
        (await warden.Runs.ListApprovalsAsync("demo", started.RunId, null)).Single().Status.ShouldBe("expired");
    }

    [Fact]
    public async Task Control_PauseThenResume_HoldsNextNodeUntilResumed()
    {
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Sequential(nodes: 3, mock: "{ latency_ms: 300 }"));
        var started = await warden.StartAsync("seq");

        (await warden.Engine.SignalAsync("demo", started.RunId, new SignalReceived(SignalKind.Pause, "operator:test"))).Status.ShouldBe(SignalStatus.Applied);
        var paused = await warden.WaitForAsync(started.RunId, r => r.State.Contains("\"n1\":{\"status\":\"succeeded\"", StringComparison.Ordinal));
        await Task.Delay(500); // give a wrongly dispatched n2 the chance to show up
        var stillPaused = (await warden.Runs.GetAsync("demo", started.RunId))!;
        var resume = await warden.Engine.SignalAsync("demo", started.RunId, new SignalReceived(SignalKind.Resume, "operator:test"));
        var run = await warden.WaitForEndAsync(started.RunId);

        paused.Status.ShouldBe("paused");
        stillPaused.State.ShouldContain("\"n2\":{\"status\":\"ready\"");
        resume.Status.ShouldBe(SignalStatus.Applied);
        run.Status.ShouldBe("completed");
    }

    [Fact]
    public async Task Control_StopThenStopAgain_StopsAndSecondIsConflict()
    {
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Sequential(nodes: 3, mock: "{ latency_ms: 2000 }"));
        var started = await warden.StartAsync("seq");

        var stop = await warden.Engine.SignalAsync("demo", started.RunId, new SignalReceived(SignalKind.Stop, "operator:test"));
        var again = await warden.Engine.SignalAsync("demo", started.RunId, new SignalReceived(SignalKind.Stop, "operator:test"));
        var run = await warden.WaitForEndAsync(started.RunId);

        stop.RunStatus.ShouldBe(RunStatus.Stopped);
        again.Status.ShouldBe(SignalStatus.Rejected);
        again.Rejection!.Code.ShouldBe("RUN_FINISHED");
        run.Status.ShouldBe("stopped");
        (await warden.EventsAsync(started.RunId)).ShouldContain(e => e.Type == "node.cancelled" && e.NodeId == "n1");
    }

    [Fact]
    public async Task Restart_EngineStoppedMidRun_NewEngineResumesAndEachNodeCompletesOnce()
    {
        var dir = TestWarden.NewDataDirectory();
        string runId;
        await using (var first = await TestWarden.StartAsync(dir))
        {
            await first.UploadAsync(Support.Graphs.Sequential(nodes: 4, mock: "{ latency_ms: 400 }"));
            runId = (await first.StartAsync("seq")).RunId;
            await first.WaitForAsync(runId, r => r.State.Contains("\"n2\":{\"status\":\"running\"", StringComparison.Ordinal));
        }

        // The first engine is gone with n2 in flight; its outbox row is all that remains of that attempt.
        await using var second = await TestWarden.StartAsync(dir);
        var run = await second.WaitForEndAsync(runId);

        run.Status.ShouldBe("completed");
        var events = await second.EventsAsync(runId);
        events.Where(e => e.Type == "node.completed").Select(e => e.NodeId).ShouldBe(["n1", "n2", "n3", "n4"]);
        events.Count(e => e.Type == "node.started").ShouldBe(4);
    }

    [Fact]
    public async Task StartRun_UnknownGraph_ThrowsNotFound()
    {
        await using var warden = await TestWarden.StartAsync();

        await Should.ThrowAsync<NotFoundException>(() => warden.StartAsync("missing"));
    }

    [Fact]
    public async Task StartRun_ParallelBranchesAndJoin_JoinRunsOnceAfterBoth()
    {
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync("""
            name: fan
            nodes:
              - { id: plan, role: planner, prompt: "plan {{input.task}}" }
              - { id: left, role: researcher, prompt: "left {{nodes.plan.output}}", mock: { latency_ms: 100 } }
              - { id: right, role: coder, prompt: "right {{nodes.plan.output}}", mock: { latency_ms: 250 } }
              - { id: join, role: finalizer, prompt: "join {{upstream}}" }
            edges: [ "plan -> left", "plan -> right", "left -> join", "right -> join" ]
            """);

        var started = await warden.StartAsync("fan");
        var run = await warden.WaitForEndAsync(started.RunId);
        var events = await warden.EventsAsync(started.RunId);

        run.Status.ShouldBe("completed");
        events.Count(e => e.Type == "node.started" && e.NodeId == "join").ShouldBe(1);
        var joinStart = events.Single(e => e.Type == "node.started" && e.NodeId == "join").Seq;
        events.Where(e => e.Type == "node.completed" && e.NodeId is "left" or "right").ShouldAllBe(e => e.Seq < joinStart);
    }

    [Fact]
    public async Task Signal_ItemFailsInBatch_FailsAloneAndOtherRunsStillCommit()
    {
        var dir = TestWarden.NewDataDirectory();
        string broken, healthy;
        await using (var first = await TestWarden.StartAsync(dir))
        {
            await first.UploadAsync(Support.Graphs.Gate);
            broken = (await first.StartAsync("gated")).RunId;
            healthy = (await first.StartAsync("gated")).RunId;
            await first.WaitForAsync(healthy, _ => first.Runs.ListApprovalsAsync("demo", null, "pending").Result.Count == 2);
        }

        // Corrupt one run's state so applying anything to it throws inside the writer.
        await using (var connection = new Warden.Runtime.Storage.SqliteDatabase(dir).Open())
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "UPDATE runs SET state = '{\"nodes\": 5}' WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", broken);
            cmd.ExecuteNonQuery();
        }

        await using var second = await TestWarden.StartAsync(dir);
        var failing = second.Engine.SignalAsync("demo", broken, new SignalReceived(SignalKind.Stop, "operator:test"));
        var working = second.Engine.SignalAsync("demo", healthy, new SignalReceived(SignalKind.Stop, "operator:test"));

        await Should.ThrowAsync<Exception>(() => failing);
        (await working).RunStatus.ShouldBe(RunStatus.Stopped);
        (await second.Runs.GetAsync("demo", healthy))!.Status.ShouldBe("stopped");
        (await second.Runs.GetAsync("demo", broken))!.Status.ShouldBe("running");
    }
}
