using Shouldly;
using Warden.Runtime.Providers;
using Xunit;

namespace Warden.Runtime.Tests.Providers;

public sealed class ProviderRegistryTests
{
    [Fact]
    public void Regions_KeepRegistrationOrder_AndResolveReturnsTheFirst()
    {
        var east = new AzureOpenAiLlmClient(new Uri("https://a.openai.azure.com"), "key-a", region: "eastus");
        var west = new AzureOpenAiLlmClient(new Uri("https://b.openai.azure.com"), "key-b", region: "westeurope");
        var registry = new ProviderRegistry([new MockLlmClient(TimeProvider.System), east, west]);

        registry.Regions("AZURE-OPENAI").ShouldBe([east, west]);
        registry.Resolve("azure-openai").ShouldBeSameAs(east);
        registry.Resolve("mock").Region.ShouldBeNull();
    }

    [Fact]
    public void Constructor_SameProviderAndRegionTwice_Throws()
    {
        var first = new AzureOpenAiLlmClient(new Uri("https://a.openai.azure.com"), "key-a", region: "eastus");
        var second = new AzureOpenAiLlmClient(new Uri("https://b.openai.azure.com"), "key-b", region: "EastUS");

        Should.Throw<ArgumentException>(() => new ProviderRegistry([first, second])).Message.ShouldContain("eastus");
    }

    [Fact]
    public void Resolve_UnknownProvider_IsNotRetryable()
    {
        var registry = new ProviderRegistry([new MockLlmClient(TimeProvider.System)]);

        Should.Throw<LlmException>(() => registry.Resolve("openai")).Retryable.ShouldBeFalse();
    }
}
