using Shouldly;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

public abstract class GraphStoreTests : StoreTestBase
{
    protected IGraphStore Store => Backend.Graphs(TimeProvider.System);

    [Fact]
    public async Task SaveVersion_SameContentTwice_KeepsOneVersion()
    {
        // Act
        var (first, created1) = await Store.SaveVersionAsync("t1", "g", null, "name: g", "yaml");
        var (second, created2) = await Store.SaveVersionAsync("t1", "g", null, "name: g", "yaml");

        // Assert
        created1.ShouldBeTrue();
        created2.ShouldBeFalse();
        second.Version.ShouldBe(first.Version);
        (await Store.ListVersionsAsync("t1", "g")).Count.ShouldBe(1);
    }

    [Fact]
    public async Task SaveVersion_ChangedContent_AddsImmutableNextVersion()
    {
        // Arrange
        await Store.SaveVersionAsync("t1", "g", "first", "name: g # v1", "yaml");

        // Act
        var (v2, created) = await Store.SaveVersionAsync("t1", "g", "second", "name: g # v2", "yaml");

        // Assert
        created.ShouldBeTrue();
        v2.Version.ShouldBe(2);
        (await Store.GetVersionAsync("t1", "g", 1))!.Source.ShouldBe("name: g # v1");
        (await Store.GetVersionAsync("t1", "g", null))!.Source.ShouldBe("name: g # v2");
        (await Store.GetVersionAsync("t1", "g", 3)).ShouldBeNull();
        var graph = await Store.GetAsync("t1", "g");
        graph.ShouldNotBeNull();
        (graph.LatestVersion, graph.Description).ShouldBe((2L, "second"));
        (await Store.ListVersionsAsync("t1", "g")).Select(v => (v.Version, v.Format)).ShouldBe([(1L, "yaml"), (2L, "yaml")]);
    }

    [Fact]
    public async Task List_SeveralGraphs_OrderedById()
    {
        // Arrange
        await Store.SaveVersionAsync("t1", "b-graph", null, "name: b", "yaml");
        await Store.SaveVersionAsync("t1", "a-graph", null, "name: a", "yaml");
        await Store.SaveVersionAsync("t1", "B-graph", null, "name: B", "yaml");

        // Act
        var graphs = await Store.ListAsync("t1");

        // Assert: byte order, as SQLite compares text
        graphs.Select(g => g.Id).ShouldBe(["B-graph", "a-graph", "b-graph"]);
    }

    [Fact]
    public async Task GetVersion_OtherTenant_IsIndistinguishableFromMissing()
    {
        // Arrange
        await Store.SaveVersionAsync("t1", "g", null, "name: g", "yaml");

        // Act + Assert
        (await Store.GetVersionAsync("t2", "g", null)).ShouldBeNull();
        (await Store.GetVersionAsync("t2", "g", 1)).ShouldBeNull();
        (await Store.GetAsync("t2", "g")).ShouldBeNull();
        (await Store.ListAsync("t2")).ShouldBeEmpty();
        (await Store.ListVersionsAsync("t2", "g")).ShouldBeEmpty();
    }

    [Fact]
    public async Task SaveVersion_SameIdInTwoTenants_EachHasItsOwnVersions()
    {
        // Act
        await Store.SaveVersionAsync("t1", "g", null, "name: g # t1", "yaml");
        var (t2, created) = await Store.SaveVersionAsync("t2", "g", null, "name: g # t2", "yaml");

        // Assert
        created.ShouldBeTrue();
        t2.Version.ShouldBe(1);
        (await Store.GetVersionAsync("t1", "g", null))!.Source.ShouldBe("name: g # t1");
        (await Store.GetVersionAsync("t2", "g", null))!.Source.ShouldBe("name: g # t2");
    }

    [Fact]
    public async Task SaveVersion_SourceOf200KB_ReadBackWhole()
    {
        // Arrange: 200 KB and more than a 64 KiB property holds, with non-ASCII text and a surrogate pair (an emoji) on every line
        var source = "name: big\nnodes:\n" + string.Concat(Enumerable.Range(0, 3000).Select(i => $"  - {{ id: n{i:D4}, role: researcher, prompt: \"étape {i} 🚀 look it up\" }}\n"));
        source.Length.ShouldBeGreaterThan(200_000);

        // Act
        var (saved, created) = await Store.SaveVersionAsync("t1", "big", "large", source, "yaml");
        var (again, createdAgain) = await Store.SaveVersionAsync("t1", "big", "large", source, "yaml");
        var (next, _) = await Store.SaveVersionAsync("t1", "big", "large", source + "# v2\n", "yaml");

        // Assert
        (created, createdAgain, saved.Version, again.Version, next.Version).ShouldBe((true, false, 1L, 1L, 2L));
        (await Store.GetVersionAsync("t1", "big", 1))!.Source.ShouldBe(source);
        (await Store.GetVersionAsync("t1", "big", null))!.Source.ShouldBe(source + "# v2\n");
        (await Store.ListVersionsAsync("t1", "big")).Select(v => v.Source.Length).ShouldBe([source.Length, source.Length + 5]);
    }
}

public sealed class SqliteGraphStoreTests : GraphStoreTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new SqliteBackend());
}

/// <summary>The graph store every instance of a deployment shares (PostgreSQL, Table Storage).</summary>
public abstract class SharedGraphStoreTests : GraphStoreTests
{
    [Fact]
    public async Task SaveVersion_TwoInstancesAtOnce_ConsecutiveVersionsNoneLost()
    {
        // Arrange
        await using var second = Backend.SecondInstance();
        var stores = new[] { Backend.Graphs(TimeProvider.System), second.Graphs(TimeProvider.System) };

        // Act
        var saved = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => stores[i % 2].SaveVersionAsync("t1", "g", null, $"name: g # {i}", "yaml"))));

        // Assert
        saved.Select(s => s.Version.Version).Order().ShouldBe(Enumerable.Range(1, 10).Select(v => (long)v));
        (await stores[0].GetAsync("t1", "g"))!.LatestVersion.ShouldBe(10);
        (await stores[1].ListVersionsAsync("t1", "g")).Select(v => v.Source).Order().ShouldBe(Enumerable.Range(0, 10).Select(i => $"name: g # {i}").Order());
    }

    [Fact]
    public async Task SaveVersion_TwoInstancesSameContentAtOnce_OneVersionCreatedOnce()
    {
        // Arrange
        await using var second = Backend.SecondInstance();
        var stores = new[] { Backend.Graphs(TimeProvider.System), second.Graphs(TimeProvider.System) };

        // Act
        var saved = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => stores[i % 2].SaveVersionAsync("t1", "g", null, "name: g", "yaml"))));

        // Assert
        saved.Count(s => s.Created).ShouldBe(1);
        saved.ShouldAllBe(s => s.Version.Version == 1);
        (await stores[1].ListVersionsAsync("t1", "g")).ShouldHaveSingleItem();
    }
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresGraphStoreTests(PostgresServer server) : SharedGraphStoreTests
{
    protected override async Task<StoreBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync(server);
}

[Collection(AzuriteServer.Collection)]
public sealed class TablesGraphStoreTests(AzuriteServer azurite) : SharedGraphStoreTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(TablesBackend.Create(azurite));

    [Fact]
    public async Task SaveVersion_IdsWithCharactersTableKeysRefuse_StoredAndReadBack()
    {
        // Arrange: '/', '#', '?', '\\', '|' and '%' are not allowed in (or mean something in) row keys
        var ids = new[] { "a/b", "c#d", "e?f", "g\\h", "i|j", "k%7Cl" };

        // Act
        foreach (var id in ids)
        {
            await Store.SaveVersionAsync("t/1", id, null, $"name: {id}", "yaml");
        }

        // Assert
        (await Store.ListAsync("t/1")).Select(g => g.Id).ShouldBe(ids.Order(StringComparer.Ordinal));
        foreach (var id in ids)
        {
            (await Store.GetVersionAsync("t/1", id, 1))!.Source.ShouldBe($"name: {id}");
            (await Store.ListVersionsAsync("t/1", id)).ShouldHaveSingleItem().GraphId.ShouldBe(id);
        }

        (await Store.ListAsync("t")).ShouldBeEmpty();
    }
}
