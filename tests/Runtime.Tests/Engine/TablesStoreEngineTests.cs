using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Core.Runs;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Tables;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Engine;

/// <summary>
/// The embedded engine composed with the Table Storage store, as AddWarden composes it for WARDEN_STORE=tables: graphs
/// and the audit chain in the account, the engine's own log in the local SQLite file, its audit rows forwarded.
/// </summary>
[Collection(AzuriteServer.Collection)]
public sealed class TablesStoreEngineTests(AzuriteServer azurite)
{
    private Action<WardenSettings> OnNewPrefix()
    {
        var prefix = "e" + Guid.NewGuid().ToString("N")[..12];
        return settings => settings.Tables = new TableStorage(new TableServiceClient(azurite.ConnectionString), prefix);
    }

    [Fact]
    public async Task Run_ApprovalGate_GraphFromTablesAndApprovalAuditedThere()
    {
        // Arrange
        await using var warden = await TestWarden.StartAsync(configure: OnNewPrefix());
        warden.Audit.ShouldBeOfType<TablesAuditLog>();
        await warden.UploadAsync(Graphs.Gate);
        await warden.Audit.AppendAsync("demo", "admin:key_a", "graph.uploaded", "gated", null);
        var runId = (await warden.StartAsync("gated")).RunId;

        // Act
        await warden.WaitForAsync(runId, _ => warden.Runs.ListApprovalsAsync("demo", runId, "pending").Result.Count == 1);
        var approval = (await warden.Runs.ListApprovalsAsync("demo", runId, "pending")).Single();
        await warden.Engine.SignalAsync("demo", runId, new SignalReceived(SignalKind.Approve, "reviewer:key_r", approval.Id, "fine"));
        var run = await warden.WaitForEndAsync(runId);
        var audited = await warden.WaitForAuditRowAsync("approval.approved");

        // Assert
        run.Status.ShouldBe("completed");
        (audited.Seq, audited.Actor, audited.Target).ShouldBe((2L, "reviewer:key_r", approval.Id));
        (await warden.Audit.VerifyAsync("demo")).ShouldBe(Core.Audit.AuditVerification.Intact(2, new Core.Audit.AuditHead(2, audited.Hash)));
        warden.Scalar<long>("SELECT COUNT(*) FROM audit_log").ShouldBe(0); // no second, local chain
        warden.Scalar<long>("SELECT COUNT(*) FROM audit_outbox").ShouldBe(0);
        warden.Scalar<long>("SELECT COUNT(*) FROM graph_versions").ShouldBe(0);
    }

    [Fact]
    public async Task Forwarder_RowQueuedBeforeAStop_ForwardedOnceAtTheNextStart()
    {
        // Arrange: the engine queued a row and the process stopped before it was forwarded
        var dir = TestWarden.NewDataDirectory();
        var db = new SqliteDatabase(dir);
        using (var connection = db.Open())
        using (var tx = connection.BeginTransaction())
        {
            AuditOutbox.Enqueue(connection, tx, "demo", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "system", "breaker.opened", "openai:gpt-4o", new { failures = 5 });
            tx.Commit();
        }

        // Act
        await using var warden = await TestWarden.StartAsync(dir, configure: OnNewPrefix());
        var row = await warden.WaitForAuditRowAsync("breaker.opened");

        // Assert
        (row.Seq, row.Actor, row.Target).ShouldBe((1L, "system", "openai:gpt-4o"));
        row.At.ShouldBe(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        warden.Scalar<long>("SELECT COUNT(*) FROM audit_outbox").ShouldBe(0);
    }

    [Fact]
    public async Task Suites_WithTablesStore_KeptInTheAccountNotTheLocalFile()
    {
        // Arrange
        var onPrefix = OnNewPrefix();
        await using var first = await TestWarden.StartAsync(configure: onPrefix);

        // Act
        var (version, created) = await first.Services.GetRequiredService<ISuiteStore>().SaveVersionAsync("demo", "t-suite", "name: t-suite", "yaml");
        await using var second = await TestWarden.StartAsync(configure: onPrefix);

        // Assert
        first.Services.GetRequiredService<ISuiteStore>().ShouldBeOfType<TablesSuiteStore>();
        created.ShouldBeTrue();
        (await second.Services.GetRequiredService<ISuiteStore>().GetVersionAsync("demo", "t-suite", null))!.Version.ShouldBe(version.Version);
        first.Scalar<long>("SELECT COUNT(*) FROM suite_versions").ShouldBe(0);
    }
}
