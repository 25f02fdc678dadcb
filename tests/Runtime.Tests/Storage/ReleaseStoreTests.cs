using Shouldly;
using Warden.Core.Releases;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

public abstract class ReleaseStoreTests : StoreTestBase
{
    private static readonly DateTimeOffset At = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    protected IReleaseStore Store => Backend.Releases();

    private static SnapshotRecord Snapshot(string id, long version, string graph = "g", string createdBy = "admin:k1") => new()
    {
        Id = id,
        GraphId = graph,
        GraphVersion = version,
        ContentHash = id + "-hash",
        Content = $$"""{"graph_id":"{{graph}}","graph_version":{{version}}}""",
        CreatedBy = createdBy,
        CreatedAt = At.AddMinutes(version).ToString("O"),
    };

    private static Func<IReadOnlyList<ReleaseEntry>, ReleaseEntry?> Release(string channel, string snapshot) =>
        history => new ReleaseEntry(0, channel, snapshot, ReleaseHistory.ReleaseKind, ReleaseHistory.Current(history, channel), "admin:k1", null, At);

    [Fact]
    public async Task SaveSnapshot_SameIdTwice_KeepsTheFirst()
    {
        // Act
        var (first, created1) = await Store.SaveSnapshotAsync("t1", Snapshot("snap_a", 1));
        var (second, created2) = await Store.SaveSnapshotAsync("t1", Snapshot("snap_a", 1, createdBy: "someone-else"));

        // Assert
        created1.ShouldBeTrue();
        created2.ShouldBeFalse();
        second.CreatedBy.ShouldBe(first.CreatedBy);
        (await Store.ListSnapshotsAsync("t1", "g")).ShouldHaveSingleItem().Content.ShouldBe(first.Content);
    }

    [Fact]
    public async Task ListSnapshots_OtherTenantAndGraph_SeeNothing()
    {
        // Arrange
        await Store.SaveSnapshotAsync("t1", Snapshot("snap_b", 2));
        await Store.SaveSnapshotAsync("t1", Snapshot("snap_a", 1));
        await Store.SaveSnapshotAsync("t1", Snapshot("snap_c", 1, graph: "other"));

        // Act + Assert
        (await Store.ListSnapshotsAsync("t1", "g")).Select(s => s.Id).ShouldBe(["snap_a", "snap_b"]);
        (await Store.ListSnapshotsAsync("t2", "g")).ShouldBeEmpty();
        (await Store.GetSnapshotAsync("t2", "g", "snap_a")).ShouldBeNull();
        (await Store.GetSnapshotAsync("t1", "other", "snap_a")).ShouldBeNull();
    }

    [Fact]
    public async Task AppendRelease_InOrder_HistoryNewestFirstWithPrevious()
    {
        // Act
        await Store.AppendReleaseAsync("t1", "g", Release("active", "snap_a"));
        await Store.AppendReleaseAsync("t1", "g", Release("candidate", "snap_b"));
        var third = await Store.AppendReleaseAsync("t1", "g", Release("active", "snap_b"));

        // Assert
        third!.Seq.ShouldBe(3);
        var history = await Store.ListReleasesAsync("t1", "g");
        history.Select(e => (e.Seq, e.Channel, e.SnapshotId, e.Previous)).ShouldBe([(3L, "active", "snap_b", "snap_a"), (2L, "candidate", "snap_b", null), (1L, "active", "snap_a", null)]);
        history[0].At.ShouldBe(At);
        (await Store.ListReleasesAsync("t2", "g")).ShouldBeEmpty();
    }

    [Fact]
    public async Task AppendRelease_DecisionIsNull_AppendsNothing()
    {
        // Act
        var entry = await Store.AppendReleaseAsync("t1", "g", _ => null);

        // Assert
        entry.ShouldBeNull();
        (await Store.ListReleasesAsync("t1", "g")).ShouldBeEmpty();
    }

    [Fact]
    public async Task AppendRelease_TenConcurrentWriters_EachSeesTheHistoryItExtends()
    {
        // Arrange: every writer records how long the history was when its entry was decided
        var stores = Enumerable.Range(0, 10).Select(_ => Backend.SecondInstance().Releases()).ToList();

        // Act
        var entries = await Task.WhenAll(stores.Select((store, i) => store.AppendReleaseAsync(
            "t1",
            "g",
            history => new ReleaseEntry(0, "active", $"snap_{i}", ReleaseHistory.ReleaseKind, history.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "admin:k1", null, At))));

        // Assert
        entries.Select(e => e!.Seq).Order().ShouldBe(Enumerable.Range(1, 10).Select(i => (long)i));
        var history = await Store.ListReleasesAsync("t1", "g");
        history.Count.ShouldBe(10);
        history.ShouldAllBe(e => e.Previous == (e.Seq - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task SaveGuardResult_SameSnapshotTwice_KeepsTheLatestVerdictPerSnapshot()
    {
        // Arrange
        static GuardResultRecord Verdict(string snapshot, bool passed, int minute) => new()
        {
            GraphId = "g",
            SnapshotId = snapshot,
            GraphVersion = 1,
            Environment = "prod",
            Passed = passed,
            Result = $$"""{"passed":{{(passed ? "true" : "false")}}}""",
            Actor = "system:release-guard",
            At = At.AddMinutes(minute).ToString("O"),
        };

        // Act
        await Store.SaveGuardResultAsync("t1", Verdict("snap_a", true, 1));
        await Store.SaveGuardResultAsync("t1", Verdict("snap_b", true, 2));
        await Store.SaveGuardResultAsync("t1", Verdict("snap_a", false, 3));

        // Assert
        var results = await Store.ListGuardResultsAsync("t1", "g");
        results.Select(r => (r.SnapshotId, r.Passed, r.Result)).ShouldBe([("snap_a", false, """{"passed":false}"""), ("snap_b", true, """{"passed":true}""")]);
        results[0].Environment.ShouldBe("prod");
        (await Store.ListGuardResultsAsync("t2", "g")).ShouldBeEmpty();
        (await Store.ListGuardResultsAsync("t1", "other")).ShouldBeEmpty();
    }
}

public sealed class SqliteReleaseStoreTests : ReleaseStoreTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new SqliteBackend());
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresReleaseStoreTests(PostgresServer server) : ReleaseStoreTests
{
    protected override async Task<StoreBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync(server);
}

[Collection(AzuriteServer.Collection)]
public sealed class TablesReleaseStoreTests(AzuriteServer azurite) : ReleaseStoreTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(TablesBackend.Create(azurite));
}
