using System.Data.Common;
using Shouldly;
using Warden.Core.Audit;
using Warden.Core.Serialization;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Postgres;
using Warden.Runtime.Storage.Sqlite;
using Warden.Runtime.Storage.Tables;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

public abstract class AuditLogTests : StoreTestBase
{
    protected ManualClock Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    protected IAuditLog Log => Backend.Audit(Clock);

    /// <summary>Appends one row per action, a second apart.</summary>
    private async Task AppendAsync(string tenant, params string[] actions)
    {
        foreach (var action in actions)
        {
            await Log.AppendAsync(tenant, "operator:key_1", action, "run_1", new { action });
            Clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task Append_ThreeRows_ChainFromGenesisAndVerifies()
    {
        // Arrange + Act
        var first = await Log.AppendAsync("t1", "admin:key_a", "graph.uploaded", "g", new { version = 1 });
        var second = await Log.AppendAsync("t1", "admin:key_a", "run.started", "run_1", null);
        var third = await Log.AppendAsync("t1", "reviewer:key_b", "approval.decided", "apr_1", new { decision = "approve" });
        var verified = await Log.VerifyAsync("t1");

        // Assert
        (first.Seq, second.Seq, third.Seq).ShouldBe((1L, 2L, 3L));
        first.PrevHash.ShouldBe(AuditChain.GenesisHash);
        second.PrevHash.ShouldBe(first.Hash);
        third.PrevHash.ShouldBe(second.Hash);
        verified.ShouldBe(AuditVerification.Intact(3, new AuditHead(3, third.Hash)));
    }

    [Fact]
    public async Task Append_PayloadWithSecret_OnlyItsHashIsStored()
    {
        // Arrange
        var payload = new { api_key = "sk-very-secret-value", email = "jane@example.com" };

        // Act
        var entry = await Log.AppendAsync("t1", "admin:key_a", "budget.set", "tenant", payload);

        // Assert
        entry.PayloadHash.ShouldBe(AuditChain.HashPayload(WardenJson.Serialize(payload)));
        var stored = await Backend.StoredAuditTextAsync();
        stored.ShouldContain(entry.PayloadHash);
        stored.ShouldNotContain("sk-very-secret-value");
        stored.ShouldNotContain("jane@example.com");
    }

    [Fact]
    public async Task Append_TwoInstancesManyTasksAtOnce_OneUnbrokenChainWithEveryRow()
    {
        // Arrange: two instances on the same data, as two processes would open it
        const int Tasks = 8;
        const int PerTask = 25;
        await using var secondInstance = Backend.SecondInstance();
        var logs = new[] { Log, secondInstance.Audit(Clock) };

        // Act
        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < PerTask; i++)
            {
                await logs[t % 2].AppendAsync("t1", $"api:key_{t}", "run.started", $"run_{t}_{i}", new { t, i });
            }
        })));
        var verified = await Log.VerifyAsync("t1");
        var all = await Log.QueryAsync("t1", new AuditQuery(Limit: 500));

        // Assert
        verified.Ok.ShouldBeTrue(verified.Reason);
        verified.Entries.ShouldBe(Tasks * PerTask);
        all.Items.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, Tasks * PerTask).Reverse().Select(i => (long)i));
        all.Items.Select(e => e.Target).Distinct().Count().ShouldBe(Tasks * PerTask);
    }

    [Fact]
    public async Task Query_Filters_ReturnOnlyMatchingRowsNewestFirst()
    {
        // Arrange
        await AppendAsync("t1", "graph.uploaded", "run.started", "approval.decided", "approval.expired", "run.started");
        await Log.AppendAsync("t1", "admin:key_9", "budget.set", "tenant", null);

        // Act
        var started = await Log.QueryAsync("t1", new AuditQuery(Action: "run.started"));
        var approvals = await Log.QueryAsync("t1", new AuditQuery(Action: "approval.*"));
        var literalUnderscore = await Log.QueryAsync("t1", new AuditQuery(Action: "approval_*"));
        var byActor = await Log.QueryAsync("t1", new AuditQuery(Actor: "admin:key_9"));
        var byTarget = await Log.QueryAsync("t1", new AuditQuery(Target: "tenant"));
        var window = await Log.QueryAsync("t1", new AuditQuery(From: Clock.GetUtcNow().AddSeconds(-5), To: Clock.GetUtcNow().AddSeconds(-3)));

        // Assert
        started.Items.Select(e => e.Seq).ShouldBe([5L, 2L]);
        approvals.Items.Select(e => e.Action).ShouldBe(["approval.expired", "approval.decided"]);
        literalUnderscore.Items.ShouldBeEmpty();
        byActor.Items.Single().Action.ShouldBe("budget.set");
        byTarget.Items.Single().Seq.ShouldBe(6);
        window.Items.Select(e => e.Seq).ShouldBe([2L, 1L]);
    }

    [Fact]
    public async Task Query_PagedWithCursor_EveryRowOnceNewestFirst()
    {
        // Arrange
        await AppendAsync("t1", Enumerable.Repeat("run.started", 7).ToArray());

        // Act
        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Log.QueryAsync("t1", new AuditQuery(Limit: 3, Cursor: cursor));
            seen.AddRange(page.Items.Select(e => e.Seq));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        // Assert
        seen.ShouldBe([7L, 6L, 5L, 4L, 3L, 2L, 1L]);
        pages.ShouldBe(3);
    }

    [Fact]
    public async Task Query_CursorNotIssuedHere_ThrowsArgumentException()
    {
        await Should.ThrowAsync<ArgumentException>(() => Log.QueryAsync("t1", new AuditQuery(Cursor: "abc")));
    }

    [Fact]
    public async Task Chains_TwoTenants_EachHasItsOwnChainAndSeesOnlyItsRows()
    {
        // Arrange
        await AppendAsync("tenant-a", "graph.uploaded", "run.started", "run.started");
        await AppendAsync("tenant-b", "budget.set");

        // Act
        var a = await Log.QueryAsync("tenant-a", new AuditQuery());
        var b = await Log.QueryAsync("tenant-b", new AuditQuery());
        var bVerified = await Log.VerifyAsync("tenant-b");

        // Assert
        a.Items.ShouldAllBe(e => e.TenantId == "tenant-a");
        a.Items.Count.ShouldBe(3);
        b.Items.Single().Seq.ShouldBe(1);
        b.Items.Single().PrevHash.ShouldBe(AuditChain.GenesisHash);
        bVerified.ShouldBe(AuditVerification.Intact(1, new AuditHead(1, b.Items.Single().Hash)));
        (await Log.QueryAsync("tenant-c", new AuditQuery())).Items.ShouldBeEmpty();
        (await Log.VerifyAsync("tenant-c")).ShouldBe(AuditVerification.Intact(0, null));
    }

    [Fact]
    public async Task Verify_OtherTenantsRowTampered_OwnChainStillOk()
    {
        // Arrange
        await AppendAsync("tenant-a", "run.started", "run.started");
        await AppendAsync("tenant-b", "run.started", "run.started");
        await Backend.TamperAuditAsync("tenant-a", 1, "actor", "admin:forged");

        // Act
        var a = await Log.VerifyAsync("tenant-a");
        var b = await Log.VerifyAsync("tenant-b");

        // Assert
        a.BrokenAt.ShouldBe(1);
        b.Ok.ShouldBeTrue();
    }

    [Theory]
    [InlineData("at", "2026-03-01T12:00:07.0000000+00:00", AuditBreak.HashMismatch)]
    [InlineData("at", "2026-03-01T12:00:01Z", AuditBreak.HashMismatch)]
    [InlineData("at", "not a time", AuditBreak.HashMismatch)]
    [InlineData("actor", "admin:forged", AuditBreak.HashMismatch)]
    [InlineData("action", "run.controlled", AuditBreak.HashMismatch)]
    [InlineData("target", "run_2", AuditBreak.HashMismatch)]
    [InlineData("payload_hash", "0000", AuditBreak.HashMismatch)]
    [InlineData("prev_hash", "0000", AuditBreak.BrokenLink)]
    [InlineData("hash", "0000", AuditBreak.HashMismatch)]
    public async Task Verify_ColumnOfRow2ChangedInStore_NamesRow2(string column, string value, AuditBreak kind)
    {
        // Arrange
        await AppendAsync("t1", "graph.uploaded", "run.started", "run.controlled", "budget.set");
        await Backend.TamperAuditAsync("t1", 2, column, value);

        // Act
        var result = await Log.VerifyAsync("t1");

        // Assert
        result.Ok.ShouldBeFalse();
        result.BrokenAt.ShouldBe(2);
        result.Break.ShouldBe(kind);
        result.Entries.ShouldBe(1);
    }

    [Fact]
    public async Task Verify_RowDeletedFromStore_NamesTheRowAfterTheGap()
    {
        // Arrange
        await AppendAsync("t1", "graph.uploaded", "run.started", "run.controlled");
        await Backend.DeleteAuditRowAsync("t1", 2);

        // Act
        var result = await Log.VerifyAsync("t1");

        // Assert
        result.BrokenAt.ShouldBe(3);
        result.Break.ShouldBe(AuditBreak.SeqGap);
    }

    [Fact]
    public async Task Append_TwoInstances50EachAtOnce_OneChainOf100NoFork()
    {
        // Arrange
        await using var secondInstance = Backend.SecondInstance();
        var logs = new[] { Log, secondInstance.Audit(Clock) };

        // Act: both instances append 50 rows each, at the same time
        await Task.WhenAll(logs.Select((log, n) => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await log.AppendAsync("t1", $"api:instance_{n}", "run.started", $"run_{n}_{i}", new { n, i });
            }
        })));
        var verified = await secondInstance.Audit(Clock).VerifyAsync("t1");
        var rows = (await Log.QueryAsync("t1", new AuditQuery(Limit: 200))).Items;

        // Assert: 100 rows, each linking to a different predecessor (a fork would make two rows share one)
        verified.Ok.ShouldBeTrue(verified.Reason);
        verified.Entries.ShouldBe(100);
        verified.Head!.Hash.ShouldBe(rows[0].Hash);
        rows.Select(r => r.PrevHash).Distinct().Count().ShouldBe(100);
        rows.GroupBy(r => r.Actor).Select(g => g.Count()).ShouldBe([50, 50]);
    }
}

/// <summary>The audit tests only SQL can state: the append-only triggers.</summary>
public abstract class SqlAuditLogTests : AuditLogTests
{
    private SqlStoreBackend Sql => (SqlStoreBackend)Backend;

    private async Task AppendOneAsync() => await Log.AppendAsync("t1", "operator:key_1", "run.started", "run_1", null);

    [Theory]
    [InlineData("UPDATE audit_log SET actor = 'x'")]
    [InlineData("DELETE FROM audit_log")]
    public async Task Write_UpdateOrDeleteThroughSql_RefusedAsAppendOnly(string sql)
    {
        // Arrange
        await AppendOneAsync();

        // Act + Assert
        (await Should.ThrowAsync<DbException>(() => Sql.ExecuteAsync(sql))).Message.ShouldContain("append-only");
        (await Log.VerifyAsync("t1")).Entries.ShouldBe(1);
    }
}

public sealed class SqliteAuditLogTests : SqlAuditLogTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new SqliteBackend());

    [Fact]
    public async Task Tenants_TwoChains_ListedForTheLocalVerify()
    {
        // Arrange
        await Log.AppendAsync("tenant-b", "admin:key_a", "budget.set", "tenant", null);
        await Log.AppendAsync("tenant-a", "admin:key_a", "budget.set", "tenant", null);

        // Act
        var tenants = await ((SqliteAuditLog)Log).TenantsAsync();

        // Assert
        tenants.ShouldBe(["tenant-a", "tenant-b"]);
    }
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresAuditLogTests(PostgresServer server) : SqlAuditLogTests
{
    protected override async Task<StoreBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync(server);

    [Fact]
    public async Task Append_SameRowsAsSqlite_IdenticalChain()
    {
        // Arrange
        await using var sqlite = new SqliteBackend();
        var sqliteLog = sqlite.Audit(Clock);

        // Act
        var fromPostgres = new List<AuditEntry>();
        var fromSqlite = new List<AuditEntry>();
        foreach (var (action, payload) in new (string, object?)[] { ("graph.uploaded", new { version = 1 }), ("run.started", null), ("approval.approved", new { comment = "ünïcödé" }) })
        {
            fromPostgres.Add(await Log.AppendAsync("t1", "admin:key_a", action, "target", payload));
            fromSqlite.Add(await sqliteLog.AppendAsync("t1", "admin:key_a", action, "target", payload));
            Clock.Advance(TimeSpan.FromMilliseconds(1234.5678));
        }

        // Assert
        fromPostgres.ShouldBe(fromSqlite);
        (await Log.VerifyAsync("t1")).ShouldBe(await sqliteLog.VerifyAsync("t1"));
        (await Log.QueryAsync("t1", new AuditQuery())).Items.ShouldBe((await sqliteLog.QueryAsync("t1", new AuditQuery())).Items);
    }

    [Fact]
    public async Task AppendForwarded_SameOutboxRowTwice_AppendedOnce()
    {
        // Arrange: the forwarder appended the row, then stopped before deleting it from the outbox
        var log = new PostgresAuditLog(((PostgresBackend)Backend).Database, Clock);
        var row = new AuditOutboxRow { Id = "aob_1", TenantId = "t1", At = AuditChain.FormatTime(Clock.GetUtcNow()), Actor = "system", Action = "breaker.opened", Target = "openai", PayloadHash = AuditChain.HashPayload("{}") };

        // Act
        var first = await log.AppendForwardedAsync(row);
        var second = await log.AppendForwardedAsync(row);

        // Assert
        first.ShouldNotBeNull();
        second.ShouldBeNull();
        (await Log.VerifyAsync("t1")).ShouldBe(AuditVerification.Intact(1, new AuditHead(1, first.Hash)));
    }

    [Fact]
    public async Task Write_TruncateThroughSql_RefusedAsAppendOnly()
    {
        // Arrange
        await Log.AppendAsync("t1", "admin:key_a", "run.started", "run_1", null);

        // Act + Assert
        (await Should.ThrowAsync<DbException>(() => ((SqlStoreBackend)Backend).ExecuteAsync("TRUNCATE audit_log"))).Message.ShouldContain("append-only");
    }
}

[Collection(AzuriteServer.Collection)]
public sealed class TablesAuditLogTests(AzuriteServer azurite) : AuditLogTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(TablesBackend.Create(azurite));

    [Fact]
    public async Task AppendForwarded_SameOutboxRowTwice_AppendedOnce()
    {
        // Arrange: the forwarder appended the row, then stopped before deleting it from the outbox
        var log = new TablesAuditLog(((TablesBackend)Backend).Storage, Clock);
        var row = new AuditOutboxRow { Id = "aob_1", TenantId = "t1", At = AuditChain.FormatTime(Clock.GetUtcNow()), Actor = "system", Action = "breaker.opened", Target = "openai", PayloadHash = AuditChain.HashPayload("{}") };

        // Act
        var first = await log.AppendForwardedAsync(row);
        var second = await log.AppendForwardedAsync(row);
        var third = await log.AppendAsync("t1", "admin:key_a", "run.started", "run_1", null);

        // Assert
        first.ShouldNotBeNull();
        second.ShouldBeNull();
        third.Seq.ShouldBe(2);
        (await Log.VerifyAsync("t1")).ShouldBe(AuditVerification.Intact(2, new AuditHead(2, third.Hash)));
    }

    [Fact]
    public async Task Append_SameRowsAsSqlite_IdenticalChain()
    {
        // Arrange
        await using var sqlite = new SqliteBackend();
        var sqliteLog = sqlite.Audit(Clock);

        // Act
        var fromTables = new List<AuditEntry>();
        var fromSqlite = new List<AuditEntry>();
        foreach (var (action, payload) in new (string, object?)[] { ("graph.uploaded", new { version = 1 }), ("run.started", null), ("approval.approved", new { comment = "ünïcödé" }) })
        {
            fromTables.Add(await Log.AppendAsync("t1", "admin:key_a", action, "target", payload));
            fromSqlite.Add(await sqliteLog.AppendAsync("t1", "admin:key_a", action, "target", payload));
            Clock.Advance(TimeSpan.FromMilliseconds(1234.5678));
        }

        // Assert
        fromTables.ShouldBe(fromSqlite);
        (await Log.VerifyAsync("t1")).ShouldBe(await sqliteLog.VerifyAsync("t1"));
        (await Log.QueryAsync("t1", new AuditQuery())).Items.ShouldBe((await sqliteLog.QueryAsync("t1", new AuditQuery())).Items);
    }

    [Fact]
    public async Task Query_SelectiveFilterOverALongChain_PagesNewestFirstAcrossRanges()
    {
        // Arrange: 1,500 rows, every 100th a budget change: the matches lie further apart than one range read
        for (var i = 1; i <= 1500; i++)
        {
            await Log.AppendAsync("t1", "admin:key_a", i % 100 == 0 ? "budget.set" : "run.started", $"r{i}", null);
        }

        // Act
        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await Log.QueryAsync("t1", new AuditQuery(Action: "budget.*", Limit: 4, Cursor: cursor));
            seen.AddRange(page.Items.Select(e => e.Seq));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        // Assert
        seen.ShouldBe(Enumerable.Range(1, 15).Reverse().Select(i => i * 100L));
    }
}
