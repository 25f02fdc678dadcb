using Shouldly;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

public abstract class CatalogStoreTests : StoreTestBase
{
    private const string Now = "2026-03-01T12:00:00.0000000+00:00";

    private ICatalogStore Store => Backend.Catalog();

    private static ToolRecord Tool(string name, string actionClass = "read", string? endpoint = "http://127.0.0.1:9/tool") => new()
    {
        Name = name,
        Description = "looks things up",
        ActionClass = actionClass,
        InputSchema = """{"type":"object"}""",
        Endpoint = endpoint,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    protected static AgentRecord Agent(string name, string prompt = "You research.") => new()
    {
        Name = name,
        Description = "a researcher",
        Role = "researcher",
        Prompt = prompt,
        Tools = """["crm.lookup"]""",
        Provider = "mock",
        Model = "mock-1",
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    [Fact]
    public async Task SaveTool_Create_ReadBackWithEveryField()
    {
        // Act
        var created = await Store.SaveToolAsync("t1", Tool("crm.lookup"), create: true);

        // Assert
        created.ShouldBeTrue();
        var read = await Store.GetToolAsync("t1", "crm.lookup");
        read.ShouldNotBeNull();
        read.ShouldBeEquivalentTo(Tool("crm.lookup"));
    }

    [Fact]
    public async Task SaveTool_NameTakenInTenant_RefusedButFreeInAnotherTenant()
    {
        // Arrange
        await Store.SaveToolAsync("t1", Tool("crm.update", "write"), create: true);

        // Act
        var again = await Store.SaveToolAsync("t1", Tool("crm.update", "read"), create: true);
        var otherTenant = await Store.SaveToolAsync("t2", Tool("crm.update", "external"), create: true);

        // Assert
        again.ShouldBeFalse();
        otherTenant.ShouldBeTrue();
        (await Store.GetToolAsync("t1", "crm.update"))!.ActionClass.ShouldBe("write");
        (await Store.GetToolAsync("t2", "crm.update"))!.ActionClass.ShouldBe("external");
    }

    [Fact]
    public async Task SaveTool_Update_ChangesFieldsAndMissingNameIsRefused()
    {
        // Arrange
        await Store.SaveToolAsync("t1", Tool("crm.update", "read"), create: true);

        // Act
        var updated = await Store.SaveToolAsync("t1", new ToolRecord { Name = "crm.update", ActionClass = "write", CreatedAt = Now, UpdatedAt = "2026-03-02T00:00:00.0000000+00:00" }, create: false);
        var missing = await Store.SaveToolAsync("t1", Tool("nope"), create: false);
        var otherTenants = await Store.SaveToolAsync("t2", Tool("crm.update"), create: false);

        // Assert
        updated.ShouldBeTrue();
        missing.ShouldBeFalse();
        otherTenants.ShouldBeFalse();
        var read = await Store.GetToolAsync("t1", "crm.update");
        read.ShouldNotBeNull();
        (read.ActionClass, read.Endpoint, read.Description, read.CreatedAt, read.UpdatedAt).ShouldBe(("write", (string?)null, (string?)null, Now, "2026-03-02T00:00:00.0000000+00:00"));
        (await Store.GetToolAsync("t1", "nope")).ShouldBeNull();
    }

    [Fact]
    public async Task ListAndDeleteTools_TenantScoped_OtherTenantsToolsNeitherSeenNorDeleted()
    {
        // Arrange
        await Store.SaveToolAsync("t1", Tool("b.tool"), create: true);
        await Store.SaveToolAsync("t1", Tool("a.tool"), create: true);
        await Store.SaveToolAsync("t2", Tool("c.tool"), create: true);

        // Act
        var listed = await Store.ListToolsAsync("t1");
        var deletedOthers = await Store.DeleteToolAsync("t1", "c.tool");
        var deleted = await Store.DeleteToolAsync("t1", "a.tool");
        var deletedAgain = await Store.DeleteToolAsync("t1", "a.tool");

        // Assert
        listed.Select(t => t.Name).ShouldBe(["a.tool", "b.tool"]);
        deletedOthers.ShouldBeFalse();
        (await Store.GetToolAsync("t2", "c.tool")).ShouldNotBeNull();
        (await Store.GetToolAsync("t1", "c.tool")).ShouldBeNull();
        (deleted, deletedAgain).ShouldBe((true, false));
        (await Store.ListToolsAsync("t1")).Select(t => t.Name).ShouldBe(["b.tool"]);
    }

    [Fact]
    public async Task SaveAgent_CreateUpdateDelete_RoundTrips()
    {
        // Act
        var created = await Store.SaveAgentAsync("t1", Agent("researcher"), create: true);
        var taken = await Store.SaveAgentAsync("t1", Agent("researcher"), create: true);
        var updated = await Store.SaveAgentAsync("t1", Agent("researcher", prompt: "You research carefully."), create: false);
        var read = await Store.GetAgentAsync("t1", "researcher");
        var missingUpdate = await Store.SaveAgentAsync("t1", Agent("ghost"), create: false);
        var deleted = await Store.DeleteAgentAsync("t1", "researcher");

        // Assert
        (created, taken, updated, missingUpdate, deleted).ShouldBe((true, false, true, false, true));
        read.ShouldNotBeNull();
        read.ShouldBeEquivalentTo(Agent("researcher", prompt: "You research carefully."));
        (await Store.GetAgentAsync("t1", "researcher")).ShouldBeNull();
        (await Store.ListAgentsAsync("t1")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Agents_TwoTenantsSameName_EachSeesOnlyItsOwn()
    {
        // Arrange
        await Store.SaveAgentAsync("t1", Agent("writer", prompt: "t1 prompt"), create: true);
        await Store.SaveAgentAsync("t2", Agent("writer", prompt: "t2 prompt"), create: true);
        await Store.SaveAgentAsync("t2", Agent("editor"), create: true);

        // Act
        var t1 = await Store.ListAgentsAsync("t1");
        var t2 = await Store.ListAgentsAsync("t2");
        var deleteOthers = await Store.DeleteAgentAsync("t1", "editor");

        // Assert
        t1.Single().Prompt.ShouldBe("t1 prompt");
        t2.Select(a => a.Name).ShouldBe(["editor", "writer"]);
        (await Store.GetAgentAsync("t1", "editor")).ShouldBeNull();
        deleteOthers.ShouldBeFalse();
        (await Store.GetAgentAsync("t2", "editor")).ShouldNotBeNull();
    }
}

public sealed class SqliteCatalogStoreTests : CatalogStoreTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new SqliteBackend());
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresCatalogStoreTests(PostgresServer server) : CatalogStoreTests
{
    protected override async Task<StoreBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync(server);
}

[Collection(AzuriteServer.Collection)]
public sealed class TablesCatalogStoreTests(AzuriteServer azurite) : CatalogStoreTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(TablesBackend.Create(azurite));

    [Fact]
    public async Task SaveAgent_PromptLongerThanOneProperty_ReadBackWhole()
    {
        // Arrange: 100K characters, three times what one string property holds
        var prompt = string.Concat(Enumerable.Repeat("You research, then you cite. ", 3500));
        var store = Backend.Catalog();

        // Act
        var created = await store.SaveAgentAsync("t1", Agent("researcher", prompt), create: true);

        // Assert
        created.ShouldBeTrue();
        (await store.GetAgentAsync("t1", "researcher"))!.Prompt.ShouldBe(prompt);
        (await store.ListAgentsAsync("t1")).Single().Prompt.Length.ShouldBe(prompt.Length);
    }
}
