using Shouldly;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

public sealed class SqliteStoreTests : IDisposable
{
    private readonly string _dir = TestWarden.NewDataDirectory();
    private readonly SqliteDatabase _db;

    public SqliteStoreTests()
    {
        _db = new SqliteDatabase(_dir);
    }

    public void Dispose() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

    [Fact]
    public async Task SaveVersion_SameContentTwice_KeepsOneVersion()
    {
        var store = new SqliteGraphStore(_db, TimeProvider.System);

        var (first, created1) = await store.SaveVersionAsync("t1", "g", null, "name: g", "yaml");
        var (second, created2) = await store.SaveVersionAsync("t1", "g", null, "name: g", "yaml");

        created1.ShouldBeTrue();
        created2.ShouldBeFalse();
        second.Version.ShouldBe(first.Version);
    }

    [Fact]
    public async Task SaveVersion_ChangedContent_AddsImmutableNextVersion()
    {
        var store = new SqliteGraphStore(_db, TimeProvider.System);
        await store.SaveVersionAsync("t1", "g", null, "name: g # v1", "yaml");

        var (v2, created) = await store.SaveVersionAsync("t1", "g", null, "name: g # v2", "yaml");

        created.ShouldBeTrue();
        v2.Version.ShouldBe(2);
        (await store.GetVersionAsync("t1", "g", 1))!.Source.ShouldBe("name: g # v1");
        (await store.GetAsync("t1", "g"))!.LatestVersion.ShouldBe(2);
    }

    [Fact]
    public async Task GetVersion_OtherTenant_IsIndistinguishableFromMissing()
    {
        var store = new SqliteGraphStore(_db, TimeProvider.System);
        await store.SaveVersionAsync("t1", "g", null, "name: g", "yaml");

        (await store.GetVersionAsync("t2", "g", null)).ShouldBeNull();
        (await store.GetAsync("t2", "g")).ShouldBeNull();
        (await store.ListAsync("t2")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Bootstrap_EmptyStore_CreatesDemoTenantWithHashedAdminKey()
    {
        var store = new SqliteTenantStore(_db, TimeProvider.System);

        var key = await store.BootstrapAsync(null);
        var again = await store.BootstrapAsync(null);

        key.ShouldNotBeNull();
        again.ShouldBeNull();
        (await store.AuthenticateAsync(key))!.Role.ShouldBe("admin");
        (await store.AuthenticateAsync(key + "x")).ShouldBeNull();
        await using var connection = _db.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM api_keys WHERE key_hash = $k OR prefix = $k";
        cmd.Parameters.AddWithValue("$k", key);
        ((long)cmd.ExecuteScalar()!).ShouldBe(0); // the plain key is never stored
    }

    [Fact]
    public async Task Migrations_OpenTwice_AppliedOnce()
    {
        _ = new SqliteDatabase(_dir);
        await using var connection = _db.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM schema_migrations";

        ((long)cmd.ExecuteScalar()!).ShouldBe(Warden.Runtime.Storage.Migrations.Count);
    }
}
