using Shouldly;
using Warden.Core.Runs;
using Warden.Runtime.Engine;
using Microsoft.Extensions.DependencyInjection;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Postgres;
using Warden.Runtime.Testing;
using Warden.Runtime.Tests.Providers;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Engine;

/// <summary>
/// The embedded engine composed with the PostgreSQL store, as AddWarden composes it for WARDEN_STORE: graphs, tools and
/// the audit chain in the database, the engine's own log in the local SQLite file.
/// </summary>
[Collection(PostgresServer.Collection)]
public sealed class PostgresStoreEngineTests(PostgresServer server)
{
    private const string ToolGraph = """
        name: tooling
        tool_policies:
          - { tool: "*", action: write, decision: require_approval }
        nodes:
          - { id: plan, role: planner, prompt: "plan {{input.task}}" }
          - { id: update, kind: tool, tool: crm.update, input: "{{nodes.plan.output}}" }
        edges: [ "plan -> update" ]
        """;

    private async Task<Action<Warden.Runtime.Hosting.WardenSettings>> OnNewDatabaseAsync()
    {
        var store = server.ConnectionString(await server.CreateDatabaseAsync());
        return settings => settings.Store = store;
    }

    private static async Task<ApprovalRecord> PendingApprovalAsync(TestWarden warden, string runId)
    {
        await warden.WaitForAsync(runId, _ => warden.Runs.ListApprovalsAsync("demo", runId, "pending").Result.Count == 1);
        return (await warden.Runs.ListApprovalsAsync("demo", runId, "pending")).Single();
    }

    [Fact]
    public async Task Run_WriteToolNeedingApproval_ToolAndGraphFromPostgresAndApprovalAuditedThere()
    {
        // Arrange
        await using var tool = await FakeProviderServer.StartAsync();
        tool.Reply = ctx => FakeProviderServer.Respond(ctx, 200, """{"updated":true}""");
        await using var warden = await TestWarden.StartAsync(configure: await OnNewDatabaseAsync());
        var now = DateTimeOffset.UtcNow.ToString("O");
        (await warden.Catalog.SaveToolAsync("demo", new ToolRecord { Name = "crm.update", ActionClass = "write", Endpoint = tool.BaseUrl + "update", CreatedAt = now, UpdatedAt = now }, create: true)).ShouldBeTrue();
        await warden.UploadAsync(ToolGraph);
        await warden.Audit.AppendAsync("demo", "admin:key_a", "graph.uploaded", "tooling", null);
        var runId = (await warden.StartAsync("tooling")).RunId;

        // Act
        var approval = await PendingApprovalAsync(warden, runId);
        await warden.Engine.SignalAsync("demo", runId, new SignalReceived(SignalKind.Approve, "reviewer:key_r", approval.Id, "fine"));
        var run = await warden.WaitForEndAsync(runId);
        var audited = await warden.WaitForAuditRowAsync("approval.approved");

        // Assert
        approval.Message.ShouldContain("crm.update"); // the write class came from the PostgreSQL catalog
        run.Status.ShouldBe("completed");
        tool.Received.ShouldHaveSingleItem();
        (audited.Seq, audited.Actor, audited.Target).ShouldBe((2L, "reviewer:key_r", approval.Id));
        (await warden.Audit.VerifyAsync("demo")).ShouldBe(Core.Audit.AuditVerification.Intact(2, new Core.Audit.AuditHead(2, audited.Hash)));
        warden.Scalar<long>("SELECT COUNT(*) FROM audit_log").ShouldBe(0); // no second, local chain
        warden.Scalar<long>("SELECT COUNT(*) FROM audit_outbox").ShouldBe(0);
        warden.Scalar<long>("SELECT COUNT(*) FROM graph_versions").ShouldBe(0);
    }

    [Fact]
    public async Task Restart_RunWaitingForApproval_ResumesWithItsGraphReadFromPostgres()
    {
        // Arrange
        var onDatabase = await OnNewDatabaseAsync();
        var dir = TestWarden.NewDataDirectory();
        string runId;
        await using (var first = await TestWarden.StartAsync(dir, configure: onDatabase))
        {
            await first.UploadAsync(Graphs.Gate);
            runId = (await first.StartAsync("gated")).RunId;
            await PendingApprovalAsync(first, runId);
        }

        // Act: a new engine, with no decider cached, on the same data directory and database
        await using var second = await TestWarden.StartAsync(dir, configure: onDatabase);
        var approval = await PendingApprovalAsync(second, runId);
        var signal = await second.Engine.SignalAsync("demo", runId, new SignalReceived(SignalKind.Approve, "reviewer:key_r", approval.Id));
        var run = await second.WaitForEndAsync(runId);

        // Assert
        signal.Status.ShouldBe(SignalStatus.Applied);
        run.Status.ShouldBe("completed");
        (await second.WaitForAuditRowAsync("approval.approved")).Target.ShouldBe(approval.Id);
    }

    [Fact]
    public async Task Forwarder_RowQueuedBeforeAStop_ForwardedOnceAtTheNextStart()
    {
        // Arrange: the engine queued a row and the process stopped before it was forwarded
        var onDatabase = await OnNewDatabaseAsync();
        var dir = TestWarden.NewDataDirectory();
        var db = new SqliteDatabase(dir);
        using (var connection = db.Open())
        using (var tx = connection.BeginTransaction())
        {
            AuditOutbox.Enqueue(connection, tx, "demo", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "system", "breaker.opened", "openai:gpt-4o", new { failures = 5 });
            tx.Commit();
        }

        // Act
        await using var warden = await TestWarden.StartAsync(dir, configure: onDatabase);
        var row = await warden.WaitForAuditRowAsync("breaker.opened");

        // Assert
        (row.Seq, row.Actor, row.Target).ShouldBe((1L, "system", "openai:gpt-4o"));
        row.At.ShouldBe(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        // The forwarder appends, then deletes the outbox row: the delete may land just after the row shows.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (warden.Scalar<long>("SELECT COUNT(*) FROM audit_outbox") > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        warden.Scalar<long>("SELECT COUNT(*) FROM audit_outbox").ShouldBe(0);
    }

    [Fact]
    public async Task SuiteRun_WithPostgresStore_StoredThereAndReadByAnotherInstance()
    {
        // Arrange
        var onDatabase = await OnNewDatabaseAsync();
        await using var first = await TestWarden.StartAsync(configure: onDatabase);
        await first.UploadAsync(Support.Graphs.Sequential(name: "pg-seq", nodes: 2));
        var suites = first.Services.GetRequiredService<ISuiteStore>();
        var (version, _) = await suites.SaveVersionAsync("demo", "pg-suite", "name: pg-suite\ngraph: { id: pg-seq }\ncases:\n  - name: c\n    assert: [{status: completed}]\n", "yaml");
        await suites.CreateRunAsync("demo", new SuiteRunRecord { Id = "srun_pg", SuiteId = "pg-suite", SuiteVersion = version.Version, Status = "running", CreatedAt = "2026-01-01T00:00:00.0000000+00:00", UpdatedAt = "2026-01-01T00:00:00.0000000+00:00" });
        var dispatcher = first.Services.GetRequiredService<SuiteRunDispatcher>();

        // Act
        dispatcher.Start("demo", "srun_pg", Core.Testing.SuiteParser.Parse(version.Source), parallel: 1, filter: null);
        await dispatcher.WaitAsync("srun_pg").WaitAsync(TimeSpan.FromMinutes(1));
        await using var second = await TestWarden.StartAsync(configure: onDatabase);

        // Assert: a second instance reads it from PostgreSQL and, starting, ends nothing there
        suites.ShouldBeOfType<PostgresSuiteStore>();
        var run = await second.Services.GetRequiredService<ISuiteStore>().GetRunAsync("demo", "srun_pg");
        run.ShouldNotBeNull().Status.ShouldBe("passed", run.Result);
        first.Scalar<long>("SELECT COUNT(*) FROM suite_versions").ShouldBe(0);
        first.Scalar<long>("SELECT COUNT(*) FROM suite_runs").ShouldBe(0);
    }

    [Fact]
    public async Task Start_WithPostgresStore_LeavesOtherInstancesRunningSuiteRunsAlone()
    {
        // Arrange
        var onDatabase = await OnNewDatabaseAsync();
        await using var first = await TestWarden.StartAsync(configure: onDatabase);
        await first.Services.GetRequiredService<ISuiteStore>().CreateRunAsync("demo", new SuiteRunRecord { Id = "srun_busy", SuiteId = "s", SuiteVersion = 1, Status = "running", CreatedAt = "2026-01-01T00:00:00.0000000+00:00", UpdatedAt = "2026-01-01T00:00:00.0000000+00:00" });

        // Act
        await using var second = await TestWarden.StartAsync(configure: onDatabase);

        // Assert
        (await second.Services.GetRequiredService<ISuiteStore>().GetRunAsync("demo", "srun_busy"))!.Status.ShouldBe("running");
    }
}
