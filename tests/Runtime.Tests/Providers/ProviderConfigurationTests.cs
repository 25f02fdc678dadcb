using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Providers;
using Xunit;

namespace Warden.Runtime.Tests.Providers;

public sealed class ProviderConfigurationTests
{
    private const string Secret = "sk-config-SECRET-31337";

    [Fact]
    public void FromEnvironment_NothingSet_ReturnsNoClients()
    {
        ProviderConfiguration.FromEnvironment(Env()).ShouldBeEmpty();
    }

    [Fact]
    public void FromEnvironment_Keys_ReturnOneClientPerProvider()
    {
        var clients = ProviderConfiguration.FromEnvironment(Env(
            ("OPENAI_API_KEY", Secret),
            ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
            ("ANTHROPIC_API_KEY", Secret),
            ("AZURE_OPENAI_ENDPOINT", "https://contoso.openai.azure.com"),
            ("AZURE_OPENAI_API_KEY", Secret),
            ("AZURE_OPENAI_REGION", "eastus")));

        clients.Select(c => c.Name).ShouldBe(["openai", "anthropic", "azure-openai"]);
        var azure = clients.OfType<AzureOpenAiLlmClient>().ShouldHaveSingleItem();
        azure.Region.ShouldBe("eastus");
        azure.Endpoint.ShouldBe(new Uri("https://contoso.openai.azure.com/openai/v1"));
    }

    [Fact]
    public void FromEnvironment_Regions_ReturnOneAzureClientPerRegionInOrder()
    {
        var clients = ProviderConfiguration.FromEnvironment(Env(
            ("AZURE_OPENAI_REGIONS", "eastus, west-europe"),
            ("AZURE_OPENAI_ENDPOINT_EASTUS", "https://contoso-eastus.openai.azure.com"),
            ("AZURE_OPENAI_API_KEY_EASTUS", Secret),
            ("AZURE_OPENAI_ENDPOINT_WEST_EUROPE", "https://contoso-weu.openai.azure.com/openai/v1/"),
            ("AZURE_OPENAI_API_KEY_WEST_EUROPE", Secret),
            ("AZURE_OPENAI_DEPLOYMENT", "gpt-4o-mini")));

        clients.OfType<AzureOpenAiLlmClient>().Select(c => (c.Region, c.Endpoint.Host)).ShouldBe(
            [("eastus", "contoso-eastus.openai.azure.com"), ("west-europe", "contoso-weu.openai.azure.com")]);
    }

    [Fact]
    public void FromEnvironment_EntraAuth_NeedsNoKey()
    {
        var clients = ProviderConfiguration.FromEnvironment(Env(
            ("AZURE_OPENAI_ENDPOINT", "https://contoso.openai.azure.com"),
            ("AZURE_OPENAI_AUTH", "entra")));

        clients.ShouldHaveSingleItem().ShouldBeOfType<AzureOpenAiLlmClient>();
    }

    [Theory]
    [InlineData("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_ENDPOINT", "https://contoso.openai.azure.com")]
    [InlineData("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_BASE_URL", "http://127.0.0.1:9/v1")]
    [InlineData("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_BASE_URL", "http://127.0.0.1:9")]
    [InlineData("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", Secret)]
    [InlineData("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT", "AZURE_OPENAI_DEPLOYMENT", "gpt-4o-mini")]
    public void FromEnvironment_SettingWithoutItsPartner_NamesTheMissingVariable(string missing, string _, string setName, string setValue)
    {
        var ex = Should.Throw<ConfigurationException>(() => ProviderConfiguration.FromEnvironment(Env((setName, setValue))));

        ex.Message.ShouldContain(missing);
        ex.Message.ShouldNotContain(Secret);
    }

    [Theory]
    [InlineData("OPENAI_BASE_URL", "not a url", "OPENAI_API_KEY")]
    [InlineData("OPENAI_BASE_URL", "ftp://example.com/v1", "OPENAI_API_KEY")]
    [InlineData("ANTHROPIC_BASE_URL", "/relative", "ANTHROPIC_API_KEY")]
    [InlineData("AZURE_OPENAI_ENDPOINT", "contoso.openai.azure.com", "AZURE_OPENAI_API_KEY")]
    public void FromEnvironment_MalformedUrl_NamesTheVariable(string urlVar, string url, string keyVar)
    {
        var ex = Should.Throw<ConfigurationException>(() => ProviderConfiguration.FromEnvironment(Env((keyVar, Secret), (urlVar, url))));

        ex.Message.ShouldStartWith(urlVar);
        ex.Message.ShouldNotContain(Secret);
    }

    [Fact]
    public void FromEnvironment_EntraOverPlainHttp_NamesTheEndpoint()
    {
        var ex = Should.Throw<ConfigurationException>(() => ProviderConfiguration.FromEnvironment(Env(
            ("AZURE_OPENAI_ENDPOINT", "http://contoso.openai.azure.com"),
            ("AZURE_OPENAI_AUTH", "entra"))));

        ex.Message.ShouldContain("AZURE_OPENAI_ENDPOINT");
        ex.Message.ShouldContain("https");
    }

    [Fact]
    public void FromEnvironment_KeyAndEntraTogether_NamesTheKey()
    {
        var ex = Should.Throw<ConfigurationException>(() => ProviderConfiguration.FromEnvironment(Env(
            ("AZURE_OPENAI_ENDPOINT", "https://contoso.openai.azure.com"),
            ("AZURE_OPENAI_API_KEY", Secret),
            ("AZURE_OPENAI_AUTH", "entra"))));

        ex.Message.ShouldContain("AZURE_OPENAI_API_KEY");
        ex.Message.ShouldNotContain(Secret);
    }

    [Theory]
    [InlineData("AZURE_OPENAI_AUTH", "certificate")]
    [InlineData("WARDEN_LLM_MAX_OUTPUT_TOKENS", "lots")]
    [InlineData("WARDEN_LLM_MAX_OUTPUT_TOKENS", "0")]
    public void FromEnvironment_BadValue_NamesTheVariable(string name, string value)
    {
        var ex = Should.Throw<ConfigurationException>(() => ProviderConfiguration.FromEnvironment(Env(
            ("AZURE_OPENAI_ENDPOINT", "https://contoso.openai.azure.com"),
            ("AZURE_OPENAI_API_KEY", Secret),
            (name, value))));

        ex.Message.ShouldStartWith(name);
    }

    [Fact]
    public void FromEnvironment_RegionWithoutItsEndpointOrKey_NamesTheSuffixedVariable()
    {
        Should.Throw<ConfigurationException>(() => ProviderConfiguration.FromEnvironment(Env(
            ("AZURE_OPENAI_REGIONS", "eastus,westeurope"),
            ("AZURE_OPENAI_ENDPOINT_EASTUS", "https://a.openai.azure.com"),
            ("AZURE_OPENAI_API_KEY_EASTUS", Secret)))).Message.ShouldContain("AZURE_OPENAI_ENDPOINT_WESTEUROPE");

        Should.Throw<ConfigurationException>(() => ProviderConfiguration.FromEnvironment(Env(
            ("AZURE_OPENAI_REGIONS", "eastus"),
            ("AZURE_OPENAI_ENDPOINT_EASTUS", "https://a.openai.azure.com")))).Message.ShouldContain("AZURE_OPENAI_API_KEY_EASTUS");
    }

    [Theory]
    [InlineData("eastus,eastus")]
    [InlineData("east us")]
    [InlineData("west-europe,West_Europe")]
    [InlineData(" , ")]
    public void FromEnvironment_BadRegionList_NamesTheVariable(string regions)
    {
        Should.Throw<ConfigurationException>(() => ProviderConfiguration.FromEnvironment(Env(("AZURE_OPENAI_REGIONS", regions))))
            .Message.ShouldStartWith("AZURE_OPENAI_REGIONS");
    }

    [Fact]
    public void FromEnvironment_RegionsWithUnsuffixedEndpoint_NamesTheUnsuffixedVariable()
    {
        Should.Throw<ConfigurationException>(() => ProviderConfiguration.FromEnvironment(Env(
            ("AZURE_OPENAI_REGIONS", "eastus"),
            ("AZURE_OPENAI_ENDPOINT", "https://a.openai.azure.com")))).Message.ShouldStartWith("AZURE_OPENAI_ENDPOINT");
    }

    [Fact]
    public void AddWarden_RegistersConfiguredProvidersNextToMock()
    {
        using var services = new ServiceCollection()
            .AddLogging()
            .AddWarden(new WardenSettings { DataDirectory = Path.GetTempPath() }, environment: Env(
                ("OPENAI_API_KEY", Secret),
                ("AZURE_OPENAI_REGIONS", "eastus,westeurope"),
                ("AZURE_OPENAI_ENDPOINT_EASTUS", "https://a.openai.azure.com"),
                ("AZURE_OPENAI_API_KEY_EASTUS", Secret),
                ("AZURE_OPENAI_ENDPOINT_WESTEUROPE", "https://b.openai.azure.com"),
                ("AZURE_OPENAI_API_KEY_WESTEUROPE", Secret)))
            .BuildServiceProvider();

        var registry = services.GetRequiredService<ProviderRegistry>();

        registry.Names.Order().ShouldBe(["azure-openai", "mock", "openai"]);
        registry.Regions("azure-openai").Select(c => c.Region).ShouldBe(["eastus", "westeurope"]);
        registry.Resolve("azure-openai").Region.ShouldBe("eastus");
    }

    [Fact]
    public void AddWarden_HalfConfiguredProvider_FailsAtStartup()
    {
        Should.Throw<ConfigurationException>(() => new ServiceCollection()
            .AddWarden(new WardenSettings(), environment: Env(("AZURE_OPENAI_ENDPOINT", "https://a.openai.azure.com"))));
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }
}
