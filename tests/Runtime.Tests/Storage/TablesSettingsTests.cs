using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Tables;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

/// <summary>WARDEN_STORE=tables: which account, what a missing or malformed setting says, and what AddWarden registers.</summary>
public sealed class TablesSettingsTests
{
    private const string Azurite = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData("tables")]
    [InlineData("TABLES")]
    [InlineData("Tables")]
    public void FromEnvironment_StoreTablesAnyCase_OpensTheAccountAndNoPostgres(string value)
    {
        // Act
        var settings = WardenSettings.FromEnvironment(Env(("WARDEN_STORE", value), ("WARDEN_TABLES_CONNECTION_STRING", Azurite)));

        // Assert
        settings.Tables.ShouldNotBeNull().Description.ShouldBe("devstoreaccount1 at http://127.0.0.1:10002/devstoreaccount1");
        settings.Store.ShouldBeNull();
        settings.IsSharedStore.ShouldBeTrue();
    }

    [Fact]
    public void FromEnvironment_StoreTablesWithoutAccount_OneLineNamingTheSettings()
    {
        // Act
        var error = Should.Throw<ConfigurationException>(() => WardenSettings.FromEnvironment(Env(("WARDEN_STORE", "tables"))));

        // Assert
        error.Message.ShouldNotContain("\n");
        error.Message.ShouldContain("WARDEN_STORE=tables");
        error.Message.ShouldContain("WARDEN_TABLES_CONNECTION_STRING");
        error.Message.ShouldContain("WARDEN_TABLES_ENDPOINT");
        error.Message.ShouldContain("AzureWebJobsStorage");
    }

    [Fact]
    public void FromEnvironment_MalformedConnectionString_NamesTheSettingWithoutEchoingIt()
    {
        // Arrange
        const string Malformed = "AccountName=prod;AccountKey=c3VwZXItc2VjcmV0LWtleQ==;Nonsense";

        // Act
        var error = Should.Throw<ConfigurationException>(() => WardenSettings.FromEnvironment(Env(("WARDEN_STORE", "tables"), ("WARDEN_TABLES_CONNECTION_STRING", Malformed))));

        // Assert
        error.Message.ShouldStartWith("WARDEN_TABLES_CONNECTION_STRING");
        error.Message.ShouldNotContain("c3VwZXItc2VjcmV0LWtleQ");
        error.Message.ShouldNotContain("prod");
    }

    [Fact]
    public void FromEnvironment_PostgresUriAndBadValue_AsBefore()
    {
        // Act
        var postgres = WardenSettings.FromEnvironment(Env(("WARDEN_STORE", "postgres://warden:pw@127.0.0.1:5432/warden")));
        var bad = Should.Throw<ConfigurationException>(() => WardenSettings.FromEnvironment(Env(("WARDEN_STORE", "mysql-secret-value"))));

        // Assert
        (postgres.Store is not null, postgres.Tables is null).ShouldBe((true, true));
        bad.Message.ShouldStartWith("WARDEN_STORE must be sqlite, tables or a PostgreSQL connection string");
        bad.Message.ShouldNotContain("mysql-secret-value");
    }

    [Fact]
    public void AddWarden_StoreTables_RegistersTheTablesStoresAndTheForwarder()
    {
        // Arrange
        var settings = WardenSettings.FromEnvironment(Env(("WARDEN_STORE", "tables"), ("WARDEN_TABLES_CONNECTION_STRING", Azurite), ("WARDEN_DATA_DIR", Support.TestWarden.NewDataDirectory())));
        var services = new ServiceCollection().AddLogging().AddWarden(settings, environment: _ => null);

        // Act
        using var provider = services.BuildServiceProvider();

        // Assert: resolving opens nothing on the network, so no account is needed for this
        provider.GetRequiredService<ITenantStore>().ShouldBeOfType<TablesTenantStore>();
        provider.GetRequiredService<IGraphStore>().ShouldBeOfType<TablesGraphStore>();
        provider.GetRequiredService<ICatalogStore>().ShouldBeOfType<TablesCatalogStore>();
        provider.GetRequiredService<IAuditLog>().ShouldBeOfType<TablesAuditLog>();
        provider.GetRequiredService<IApiRateLimiter>().ShouldBeOfType<TablesApiRateLimiter>();
        provider.GetRequiredService<Warden.Runtime.Engine.EngineOptions>().ForwardAudit.ShouldBeTrue();
        services.ShouldContain(d => d.ImplementationType == typeof(AuditForwarder));
    }
}
