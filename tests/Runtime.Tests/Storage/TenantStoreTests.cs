using Shouldly;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

public abstract class TenantStoreTests : StoreTestBase
{
    private ITenantStore Store => Backend.Tenants(TimeProvider.System);

    [Fact]
    public async Task Bootstrap_EmptyStore_CreatesDemoTenantWithHashedAdminKey()
    {
        // Act
        var key = await Store.BootstrapAsync(null);
        var again = await Store.BootstrapAsync(null);

        // Assert
        key.ShouldNotBeNull();
        again.ShouldBeNull();
        var admin = await Store.AuthenticateAsync(key);
        admin.ShouldNotBeNull();
        (admin.TenantId, admin.Role, admin.IsPlatform).ShouldBe((SqliteTenantStore.DemoTenant, "admin", true));
        (await Store.AuthenticateAsync(key + "x")).ShouldBeNull();
        var stored = await Backend.StoredKeyValuesAsync();
        stored.ShouldContain(ApiKeys.Hash(key));
        stored.ShouldNotContain(v => v.Contains(key, StringComparison.Ordinal)); // the plain key is never stored
    }

    [Fact]
    public async Task Bootstrap_ConfiguredKeyNewToStore_AddedToDemoTenant()
    {
        // Arrange
        (await Store.BootstrapAsync("first-configured-key")).ShouldBe("first-configured-key");

        // Act
        var second = await Store.BootstrapAsync("second-configured-key");

        // Assert
        second.ShouldBeNull();
        (await Store.AuthenticateAsync("first-configured-key"))!.TenantId.ShouldBe(SqliteTenantStore.DemoTenant);
        (await Store.AuthenticateAsync("second-configured-key"))!.Role.ShouldBe("admin");
        (await Store.ListKeysAsync(SqliteTenantStore.DemoTenant, null)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task CreateTenant_New_IsNotPlatformAndItsKeysAuthenticateToIt()
    {
        // Arrange
        await Store.BootstrapAsync(null);

        // Act
        var tenant = await Store.CreateTenantAsync("acme", "Acme");
        var key = await Store.IssueKeyAsync("acme", "ci", "operator");

        // Assert
        var read = await Store.GetTenantAsync("acme");
        read.ShouldNotBeNull();
        (read.Id, read.Name, read.IsPlatform, read.CreatedAt).ShouldBe(("acme", "Acme", false, tenant.CreatedAt));
        var caller = await Store.AuthenticateAsync(key);
        caller.ShouldNotBeNull();
        (caller.TenantId, caller.Role, caller.IsPlatform).ShouldBe(("acme", "operator", false));
        (await Store.GetTenantAsync("nobody")).ShouldBeNull();
    }

    [Fact]
    public async Task ListKeys_ByPrefix_OnlyTheTenantsMatchingKeys()
    {
        // Arrange
        await Store.CreateTenantAsync("t1", "One");
        await Store.CreateTenantAsync("t2", "Two");
        var (first, firstKey) = await Store.CreateKeyAsync("t1", "first", "admin");
        var (second, _) = await Store.CreateKeyAsync("t1", "second", "viewer");
        var (other, _) = await Store.CreateKeyAsync("t2", "other", "admin");

        // Act
        var all = await Store.ListKeysAsync("t1", null);
        var byPrefix = await Store.ListKeysAsync("t1", firstKey[..10]);
        var otherTenantsPrefix = await Store.ListKeysAsync("t1", other.Prefix);
        var wildcard = await Store.ListKeysAsync("t1", "wdn_%");

        // Assert
        all.Select(k => k.Id).ShouldBe([first.Id, second.Id], ignoreOrder: true);
        all.ShouldAllBe(k => k.TenantId == "t1" && k.RevokedAt == null);
        byPrefix.Single().Id.ShouldBe(first.Id);
        byPrefix.Single().Prefix.ShouldBe(firstKey[..12]);
        otherTenantsPrefix.ShouldBeEmpty();
        wildcard.ShouldBeEmpty(); // '%' is a character here, not a pattern
    }

    [Fact]
    public async Task RevokeKey_Once_KeyNoLongerAuthenticatesAndSecondRevokeFindsNothing()
    {
        // Arrange
        await Store.CreateTenantAsync("t1", "One");
        var (record, key) = await Store.CreateKeyAsync("t1", "ci", "operator");

        // Act
        var revoked = await Store.RevokeKeyAsync("t1", record.Id);
        var again = await Store.RevokeKeyAsync("t1", record.Id);

        // Assert
        revoked.ShouldNotBeNull();
        revoked.Id.ShouldBe(record.Id);
        revoked.RevokedAt.ShouldNotBeNull();
        again.ShouldBeNull();
        (await Store.AuthenticateAsync(key)).ShouldBeNull();
        (await Store.ListKeysAsync("t1", null)).Single().RevokedAt.ShouldBe(revoked.RevokedAt);
    }

    [Fact]
    public async Task RevokeKey_OtherTenantsKey_IsIndistinguishableFromMissing()
    {
        // Arrange
        await Store.CreateTenantAsync("t1", "One");
        await Store.CreateTenantAsync("t2", "Two");
        var (record, key) = await Store.CreateKeyAsync("t2", "theirs", "admin");

        // Act
        var revoked = await Store.RevokeKeyAsync("t1", record.Id);

        // Assert
        revoked.ShouldBeNull();
        (await Store.RevokeKeyAsync("t1", "key_missing")).ShouldBeNull();
        (await Store.AuthenticateAsync(key))!.TenantId.ShouldBe("t2");
    }
}

public sealed class SqliteTenantStoreTests : TenantStoreTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new SqliteBackend());
}

/// <summary>The tenant store every instance of a deployment shares (PostgreSQL, Table Storage).</summary>
public abstract class SharedTenantStoreTests : TenantStoreTests
{
    [Fact]
    public async Task Bootstrap_TwoInstancesAtOnce_OneDemoTenantWithOneKey()
    {
        // Arrange
        await using var second = Backend.SecondInstance();
        var stores = new[] { Backend.Tenants(TimeProvider.System), second.Tenants(TimeProvider.System) };

        // Act
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => stores[i % 2].BootstrapAsync("shared-bootstrap-key"))));

        // Assert
        results.Count(r => r is not null).ShouldBe(1);
        (await Backend.CountTenantsAsync()).ShouldBe(1);
        (await Backend.CountApiKeysAsync()).ShouldBe(1);
        (await stores[1].AuthenticateAsync("shared-bootstrap-key"))!.IsPlatform.ShouldBeTrue();
    }

    [Fact]
    public async Task IssueKey_OnOneInstance_AuthenticatesOnTheOtherUntilRevokedThere()
    {
        // Arrange
        await using var second = Backend.SecondInstance();
        var (a, b) = (Backend.Tenants(TimeProvider.System), second.Tenants(TimeProvider.System));
        await a.CreateTenantAsync("acme", "Acme");

        // Act
        var (record, key) = await a.CreateKeyAsync("acme", "ci", "operator");
        var before = await b.AuthenticateAsync(key);
        var revoked = await b.RevokeKeyAsync("acme", record.Id);
        var after = await a.AuthenticateAsync(key);

        // Assert
        before.ShouldNotBeNull();
        (before.KeyId, before.TenantId, before.Role, before.IsPlatform).ShouldBe((record.Id, "acme", "operator", false));
        revoked.ShouldNotBeNull();
        after.ShouldBeNull();
    }
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresTenantStoreTests(PostgresServer server) : SharedTenantStoreTests
{
    protected override async Task<StoreBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync(server);
}

[Collection(AzuriteServer.Collection)]
public sealed class TablesTenantStoreTests(AzuriteServer azurite) : SharedTenantStoreTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(TablesBackend.Create(azurite));

    [Fact]
    public async Task Authenticate_IssuedKey_OneRequestToTheHashIndex()
    {
        // Arrange
        var backend = (TablesBackend)Backend;
        var store = Backend.Tenants(TimeProvider.System);
        await store.CreateTenantAsync("acme", "Acme");
        var (record, key) = await store.CreateKeyAsync("acme", "ci", "viewer");
        await store.AuthenticateAsync("wdn_unknown"); // the tables exist now: only the lookup is counted below
        var before = backend.Requests;

        // Act
        var caller = await store.AuthenticateAsync(key);

        // Assert: one point read of the entity keyed by the hash, which holds everything authentication answers
        (backend.Requests - before).ShouldBe(1);
        caller.ShouldNotBeNull();
        (caller.KeyId, caller.TenantId, caller.Role, caller.IsPlatform).ShouldBe((record.Id, "acme", "viewer", false));
        (await backend.EntitiesAsync("apikeyhashes")).ShouldHaveSingleItem().PartitionKey.ShouldBe(ApiKeys.Hash(key));
    }
}
