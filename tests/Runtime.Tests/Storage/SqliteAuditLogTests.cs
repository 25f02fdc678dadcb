using Microsoft.Data.Sqlite;
using Shouldly;
using Warden.Core.Audit;
using Warden.Core.Serialization;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

public sealed class SqliteAuditLogTests : IDisposable
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SqliteDatabase _db = new(TestWarden.NewDataDirectory());
    private readonly SqliteAuditLog _log;

    public SqliteAuditLogTests()
    {
        _log = new SqliteAuditLog(_db, _clock);
    }

    public void Dispose() => SqliteConnection.ClearAllPools();

    /// <summary>Appends one row per action, a second apart.</summary>
    private async Task AppendAsync(string tenant, params string[] actions)
    {
        foreach (var action in actions)
        {
            await _log.AppendAsync(tenant, "operator:key_1", action, "run_1", new { action });
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task Append_ThreeRows_ChainFromGenesisAndVerifies()
    {
        // Arrange + Act
        var first = await _log.AppendAsync("t1", "admin:key_a", "graph.uploaded", "g", new { version = 1 });
        var second = await _log.AppendAsync("t1", "admin:key_a", "run.started", "run_1", null);
        var third = await _log.AppendAsync("t1", "reviewer:key_b", "approval.decided", "apr_1", new { decision = "approve" });
        var verified = await _log.VerifyAsync("t1");

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
        var entry = await _log.AppendAsync("t1", "admin:key_a", "budget.set", "tenant", payload);

        // Assert
        entry.PayloadHash.ShouldBe(AuditChain.HashPayload(WardenJson.Serialize(payload)));
        using var connection = _db.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT seq || at || tenant_id || actor || action || target || payload_hash || prev_hash || hash FROM audit_log";
        var stored = (string)cmd.ExecuteScalar()!;
        stored.ShouldNotContain("sk-very-secret-value");
        stored.ShouldNotContain("jane@example.com");
    }

    [Fact]
    public async Task Append_ManyTasksAtOnce_OneUnbrokenChainWithEveryRow()
    {
        // Arrange
        const int Tasks = 8;
        const int PerTask = 25;

        // Act
        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < PerTask; i++)
            {
                await _log.AppendAsync("t1", $"api:key_{t}", "run.started", $"run_{t}_{i}", new { t, i });
            }
        })));
        var verified = await _log.VerifyAsync("t1");
        var all = await _log.QueryAsync("t1", new AuditQuery(Limit: 500));

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
        await _log.AppendAsync("t1", "admin:key_9", "budget.set", "tenant", null);

        // Act
        var started = await _log.QueryAsync("t1", new AuditQuery(Action: "run.started"));
        var approvals = await _log.QueryAsync("t1", new AuditQuery(Action: "approval.*"));
        var byActor = await _log.QueryAsync("t1", new AuditQuery(Actor: "admin:key_9"));
        var byTarget = await _log.QueryAsync("t1", new AuditQuery(Target: "tenant"));
        var window = await _log.QueryAsync("t1", new AuditQuery(From: _clock.GetUtcNow().AddSeconds(-5), To: _clock.GetUtcNow().AddSeconds(-3)));

        // Assert
        started.Items.Select(e => e.Seq).ShouldBe([5L, 2L]);
        approvals.Items.Select(e => e.Action).ShouldBe(["approval.expired", "approval.decided"]);
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
            var page = await _log.QueryAsync("t1", new AuditQuery(Limit: 3, Cursor: cursor));
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
        await Should.ThrowAsync<ArgumentException>(() => _log.QueryAsync("t1", new AuditQuery(Cursor: "abc")));
    }

    [Fact]
    public async Task Chains_TwoTenants_EachHasItsOwnChainAndSeesOnlyItsRows()
    {
        // Arrange
        await AppendAsync("tenant-a", "graph.uploaded", "run.started", "run.started");
        await AppendAsync("tenant-b", "budget.set");

        // Act
        var a = await _log.QueryAsync("tenant-a", new AuditQuery());
        var b = await _log.QueryAsync("tenant-b", new AuditQuery());
        var bVerified = await _log.VerifyAsync("tenant-b");

        // Assert
        a.Items.ShouldAllBe(e => e.TenantId == "tenant-a");
        a.Items.Count.ShouldBe(3);
        b.Items.Single().Seq.ShouldBe(1);
        b.Items.Single().PrevHash.ShouldBe(AuditChain.GenesisHash);
        bVerified.ShouldBe(AuditVerification.Intact(1, new AuditHead(1, b.Items.Single().Hash)));
        (await _log.QueryAsync("tenant-c", new AuditQuery())).Items.ShouldBeEmpty();
        (await _log.TenantsAsync()).ShouldBe(["tenant-a", "tenant-b"]);
    }

    [Fact]
    public async Task Verify_OtherTenantsRowTampered_OwnChainStillOk()
    {
        // Arrange
        await AppendAsync("tenant-a", "run.started", "run.started");
        await AppendAsync("tenant-b", "run.started", "run.started");
        AuditFile.Tamper(_db, "tenant-a", 1, "actor", "admin:forged");

        // Act
        var a = await _log.VerifyAsync("tenant-a");
        var b = await _log.VerifyAsync("tenant-b");

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
    public async Task Verify_ColumnOfRow2ChangedInFile_NamesRow2(string column, string value, AuditBreak kind)
    {
        // Arrange
        await AppendAsync("t1", "graph.uploaded", "run.started", "run.controlled", "budget.set");
        AuditFile.Tamper(_db, "t1", 2, column, value);

        // Act
        var result = await _log.VerifyAsync("t1");

        // Assert
        result.Ok.ShouldBeFalse();
        result.BrokenAt.ShouldBe(2);
        result.Break.ShouldBe(kind);
        result.Entries.ShouldBe(1);
    }

    [Fact]
    public async Task Verify_RowDeletedFromFile_NamesTheRowAfterTheGap()
    {
        // Arrange
        await AppendAsync("t1", "graph.uploaded", "run.started", "run.controlled");
        using (var connection = _db.Open())
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 2;";
            cmd.ExecuteNonQuery();
        }

        // Act
        var result = await _log.VerifyAsync("t1");

        // Assert
        result.BrokenAt.ShouldBe(3);
        result.Break.ShouldBe(AuditBreak.SeqGap);
    }

    [Theory]
    [InlineData("UPDATE audit_log SET actor = 'x'")]
    [InlineData("DELETE FROM audit_log")]
    public async Task Write_UpdateOrDeleteThroughSql_RefusedAsAppendOnly(string sql)
    {
        // Arrange
        await AppendAsync("t1", "run.started");
        using var connection = _db.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;

        // Act + Assert
        Should.Throw<SqliteException>(() => cmd.ExecuteNonQuery()).Message.ShouldContain("append-only");
    }
}
