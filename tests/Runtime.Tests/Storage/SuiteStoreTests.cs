using System.Text.Json;
using Shouldly;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

/// <summary>The suite store's behaviour, written once and run on the embedded SQLite file, PostgreSQL and Table Storage.</summary>
public abstract class SuiteStoreTests : StoreTestBase
{
    protected ISuiteStore Store => Backend.Suites(TimeProvider.System);

    [Fact]
    public async Task SaveVersion_SameContentThenChanged_KeepsOneThenAddsNextVersion()
    {
        // Act
        var (first, created1) = await Store.SaveVersionAsync("t1", "smoke", "name: smoke # v1", "yaml");
        var (same, created2) = await Store.SaveVersionAsync("t1", "smoke", "name: smoke # v1", "yaml");
        var (second, created3) = await Store.SaveVersionAsync("t1", "smoke", "{\"name\": \"smoke\"}", "json");

        // Assert
        (created1, created2, created3).ShouldBe((true, false, true));
        (first.Version, same.Version, second.Version).ShouldBe((1L, 1L, 2L));
        same.ContentHash.ShouldBe(first.ContentHash);
        second.ContentHash.ShouldNotBe(first.ContentHash);
        (await Store.GetVersionAsync("t1", "smoke", null))!.Source.ShouldBe("{\"name\": \"smoke\"}");
        var v1 = await Store.GetVersionAsync("t1", "smoke", 1);
        v1.ShouldNotBeNull();
        (v1.Source, v1.Format, v1.SuiteId).ShouldBe(("name: smoke # v1", "yaml", "smoke"));
        (await Store.GetVersionAsync("t1", "smoke", 3)).ShouldBeNull();
        (await Store.GetVersionAsync("t1", "missing", null)).ShouldBeNull();
    }

    [Fact]
    public async Task SaveVersion_LongSource_ReadsBackWhole()
    {
        // Arrange: past one property (32K characters) and past one entity's share of chunks
        var source = "name: big\n" + string.Concat(Enumerable.Range(0, 30_000).Select(i => $"# line {i:D6} ü\n"));

        // Act
        await Store.SaveVersionAsync("t1", "big", source, "yaml");

        // Assert
        (await Store.GetVersionAsync("t1", "big", 1))!.Source.ShouldBe(source);
    }

    [Fact]
    public async Task List_SeveralSuites_OrderedByIdWithLatestVersion()
    {
        // Arrange
        await Store.SaveVersionAsync("t1", "b-suite", "name: b", "yaml");
        await Store.SaveVersionAsync("t1", "a-suite", "name: a", "yaml");
        await Store.SaveVersionAsync("t1", "a-suite", "name: a # 2", "yaml");

        // Act
        var suites = await Store.ListAsync("t1");

        // Assert
        suites.Select(s => (s.Id, s.LatestVersion)).ShouldBe([("a-suite", 2L), ("b-suite", 1L)]);
    }

    [Fact]
    public async Task CreateAndFinishRun_LargeResult_ReadBackEnded()
    {
        // Arrange
        await Store.CreateRunAsync("t1", Run("srun_1", "smoke", "2026-01-01T00:00:00.0000000+00:00"));
        var result = JsonSerializer.Serialize(new { cases = Enumerable.Range(0, 3_000).Select(i => new { name = $"case {i}", passed = i % 2 == 0, detail = new string('x', 20) }) });

        // Act
        var running = await Store.GetRunAsync("t1", "srun_1");
        await Store.FinishRunAsync("t1", "srun_1", "failed", result);
        var ended = await Store.GetRunAsync("t1", "srun_1");

        // Assert
        running.ShouldNotBeNull();
        (running.Status, running.Result, running.EndedAt).ShouldBe(("running", (string?)null, (string?)null));
        ended.ShouldNotBeNull();
        (ended.Status, ended.SuiteId, ended.SuiteVersion).ShouldBe(("failed", "smoke", 1L));
        result.Length.ShouldBeGreaterThan(100_000);
        ended.Result.ShouldBe(result);
        ended.EndedAt.ShouldNotBeNull();
        ended.CreatedAt.ShouldBe("2026-01-01T00:00:00.0000000+00:00");
        (await Store.GetRunAsync("t1", "srun_missing")).ShouldBeNull();
    }

    [Fact]
    public async Task ListRuns_ManyRuns_NewestFirstPagedAndFilteredBySuite()
    {
        // Arrange: two runs share a time, so the id breaks the tie (larger first)
        await Store.CreateRunAsync("t1", Run("srun_a", "smoke", "2026-01-01T00:00:01.0000000+00:00"));
        await Store.CreateRunAsync("t1", Run("srun_b", "other", "2026-01-01T00:00:02.0000000+00:00"));
        await Store.CreateRunAsync("t1", Run("srun_c", "smoke", "2026-01-01T00:00:03.0000000+00:00"));
        await Store.CreateRunAsync("t1", Run("srun_d", "smoke", "2026-01-01T00:00:03.0000000+00:00"));
        await Store.CreateRunAsync("t1", Run("srun_e", "other", "2026-01-01T00:00:04.0000000+00:00"));

        // Act
        var first = await Store.ListRunsAsync("t1", null, 2, null);
        var second = await Store.ListRunsAsync("t1", null, 2, first.NextCursor);
        var third = await Store.ListRunsAsync("t1", null, 2, second.NextCursor);
        var smoke = await Store.ListRunsAsync("t1", "smoke", 10, null);
        var smokePaged = await Store.ListRunsAsync("t1", "smoke", 1, null);
        var smokeNext = await Store.ListRunsAsync("t1", "smoke", 5, smokePaged.NextCursor);

        // Assert
        first.Items.Select(r => r.Id).ShouldBe(["srun_e", "srun_d"]);
        first.NextCursor.ShouldNotBeNull();
        second.Items.Select(r => r.Id).ShouldBe(["srun_c", "srun_b"]);
        third.Items.Select(r => r.Id).ShouldBe(["srun_a"]);
        third.NextCursor.ShouldBeNull();
        smoke.Items.Select(r => r.Id).ShouldBe(["srun_d", "srun_c", "srun_a"]);
        smoke.NextCursor.ShouldBeNull();
        smokePaged.Items.Select(r => r.Id).ShouldBe(["srun_d"]);
        smokeNext.Items.Select(r => r.Id).ShouldBe(["srun_c", "srun_a"]);
    }

    [Fact]
    public async Task Reads_OtherTenant_SeeNothing()
    {
        // Arrange
        await Store.SaveVersionAsync("t1", "smoke", "name: smoke", "yaml");
        await Store.CreateRunAsync("t1", Run("srun_1", "smoke", "2026-01-01T00:00:00.0000000+00:00"));

        // Act
        await Store.FinishRunAsync("t2", "srun_1", "passed", "{}");

        // Assert
        (await Store.ListAsync("t2")).ShouldBeEmpty();
        (await Store.GetVersionAsync("t2", "smoke", null)).ShouldBeNull();
        (await Store.GetVersionAsync("t2", "smoke", 1)).ShouldBeNull();
        (await Store.GetRunAsync("t2", "srun_1")).ShouldBeNull();
        (await Store.ListRunsAsync("t2", null, 10, null)).Items.ShouldBeEmpty();
        (await Store.GetRunAsync("t1", "srun_1"))!.Status.ShouldBe("running");
    }

    [Fact]
    public async Task AbandonRunning_RunningOnTwoTenants_EndsThoseAsErrorAndLeavesEndedOnes()
    {
        // Arrange
        await Store.CreateRunAsync("t1", Run("srun_1", "smoke", "2026-01-01T00:00:01.0000000+00:00"));
        await Store.CreateRunAsync("t2", Run("srun_2", "smoke", "2026-01-01T00:00:02.0000000+00:00"));
        await Store.CreateRunAsync("t1", Run("srun_3", "smoke", "2026-01-01T00:00:03.0000000+00:00"));
        await Store.FinishRunAsync("t1", "srun_3", "passed", """{"passed":true}""");

        // Act
        var abandoned = await Store.AbandonRunningAsync("interrupted");
        var again = await Store.AbandonRunningAsync("interrupted");

        // Assert
        (abandoned, again).ShouldBe((2, 0));
        foreach (var (tenant, id) in new[] { ("t1", "srun_1"), ("t2", "srun_2") })
        {
            var run = await Store.GetRunAsync(tenant, id);
            run.ShouldNotBeNull();
            run.Status.ShouldBe("error");
            run.EndedAt.ShouldNotBeNull();
            JsonDocument.Parse(run.Result!).RootElement.GetProperty("error").GetString().ShouldBe("interrupted");
        }

        var passed = await Store.GetRunAsync("t1", "srun_3");
        (passed!.Status, passed.Result).ShouldBe(("passed", """{"passed":true}"""));
    }

    [Fact]
    public async Task FinishRun_AfterAnotherProcessAbandonedIt_TheRunnersResultWins()
    {
        // Arrange: a starting process ended it while its runner, elsewhere, was still going
        await Store.CreateRunAsync("t1", Run("srun_1", "smoke", "2026-01-01T00:00:01.0000000+00:00"));
        await Store.AbandonRunningAsync("interrupted");

        // Act
        await Store.FinishRunAsync("t1", "srun_1", "passed", """{"passed":true}""");

        // Assert
        var run = await Store.GetRunAsync("t1", "srun_1");
        (run!.Status, run.Result).ShouldBe(("passed", """{"passed":true}"""));
        (await Store.AbandonRunningAsync("interrupted")).ShouldBe(0);
    }

    protected static SuiteRunRecord Run(string id, string suiteId, string createdAt) => new()
    {
        Id = id,
        SuiteId = suiteId,
        SuiteVersion = 1,
        Status = "running",
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
    };
}

public sealed class SqliteSuiteStoreTests : SuiteStoreTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new SqliteBackend());
}

/// <summary>The suite store every instance of a deployment shares (PostgreSQL, Table Storage).</summary>
public abstract class SharedSuiteStoreTests : SuiteStoreTests
{
    [Fact]
    public async Task SaveVersion_TwoInstancesAtOnce_ConsecutiveVersionsNoneLost()
    {
        // Arrange
        await using var second = Backend.SecondInstance();
        var stores = new[] { Backend.Suites(TimeProvider.System), second.Suites(TimeProvider.System) };

        // Act
        var saved = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => stores[i % 2].SaveVersionAsync("t1", "s", $"name: s # {i}", "yaml"))));

        // Assert
        saved.Select(s => s.Version.Version).Order().ShouldBe(Enumerable.Range(1, 8).Select(v => (long)v));
        (await stores[1].ListAsync("t1")).ShouldHaveSingleItem().LatestVersion.ShouldBe(8);
    }

    [Fact]
    public async Task FinishRun_OnOneInstance_ReadOnTheOther()
    {
        // Arrange
        await using var second = Backend.SecondInstance();
        await Store.CreateRunAsync("t1", Run("srun_shared", "s", "2026-01-01T00:00:00.0000000+00:00"));

        // Act
        await second.Suites(TimeProvider.System).FinishRunAsync("t1", "srun_shared", "failed", """{"passed":false}""");

        // Assert
        var run = await Store.GetRunAsync("t1", "srun_shared");
        (run!.Status, run.Result, run.EndedAt is null).ShouldBe(("failed", """{"passed":false}""", false));
        (await second.Suites(TimeProvider.System).GetRunAsync("t2", "srun_shared")).ShouldBeNull();
    }
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresSuiteStoreTests(PostgresServer server) : SharedSuiteStoreTests
{
    protected override async Task<StoreBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync(server);
}

[Collection(AzuriteServer.Collection)]
public sealed class TablesSuiteStoreTests(AzuriteServer azurite) : SharedSuiteStoreTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(TablesBackend.Create(azurite));
}
