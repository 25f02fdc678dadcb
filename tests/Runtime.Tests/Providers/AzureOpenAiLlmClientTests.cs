using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using Shouldly;
using Warden.Runtime.Providers;
using Xunit;

namespace Warden.Runtime.Tests.Providers;

/// <summary>Azure OpenAI's v1 endpoint: OpenAI's wire format under /openai/v1, the deployment as the model, an api-key header.</summary>
public sealed class AzureOpenAiLlmClientTests : ProviderAdapterContract
{
    private const string Deployment = "warden-gpt4o-mini";

    protected override string NodeModel => "gpt-4o-mini";

    protected override string WireModel => Deployment;

    protected override string ExpectedPath => "/openai/v1/chat/completions";

    protected override ILlmClient CreateClient(Uri baseUrl) => new AzureOpenAiLlmClient(baseUrl, ApiKey, Deployment, "eastus");

    protected override string SuccessBody(string text, int inputTokens, int outputTokens) =>
        OpenAiLlmClientTests.Completion(JsonSerializer.Serialize(text), "null", "stop", inputTokens, outputTokens);

    protected override string ErrorBody(string type, string message) =>
        JsonSerializer.Serialize(new { error = new { code = type, message } });

    protected override void ShouldBeAuthenticated(ReceivedRequest request)
    {
        request.Header("api-key").ShouldBe(ApiKey);
        request.Header("Authorization").ShouldBeNull();
    }

    protected override (string System, string User) PromptsOf(JsonElement body)
    {
        var messages = body.GetProperty("messages");
        return (TextOf(messages[0].GetProperty("content")), TextOf(messages[1].GetProperty("content")));
    }

    protected override long MaxTokensOf(JsonElement body) => body.GetProperty("max_completion_tokens").GetInt64();

    [Fact]
    public void Client_ReportsNameAndRegion()
    {
        var client = NewClient();

        client.Name.ShouldBe("azure-openai");
        client.Region.ShouldBe("eastus");
    }

    [Theory]
    [InlineData("https://contoso.openai.azure.com")]
    [InlineData("https://contoso.openai.azure.com/")]
    [InlineData("https://contoso.openai.azure.com/openai/v1")]
    [InlineData("https://contoso.openai.azure.com/openai/v1/")]
    public void V1Endpoint_AcceptsTheResourceWithOrWithoutSuffix(string resource)
    {
        AzureOpenAiLlmClient.V1Endpoint(new Uri(resource)).ShouldBe(new Uri("https://contoso.openai.azure.com/openai/v1"));
    }

    [Fact]
    public async Task Complete_WithoutDeployment_SendsTheNodeModel()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 200, SuccessBody("ok", 1, 1));
        var client = new AzureOpenAiLlmClient(Server.BaseUrl, ApiKey);

        await client.CompleteAsync(Request(), CancellationToken.None);

        Server.Received.ShouldHaveSingleItem().Json.GetProperty("model").GetString().ShouldBe(NodeModel);
    }

    [Fact]
    public async Task Complete_ContentFilter400_IsNotRetryable()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 400, ErrorBody("content_filter", "The response was filtered due to the prompt triggering content management policy."));

        var ex = await FailAsync();

        ex.Retryable.ShouldBeFalse();
        ex.Message.ShouldContain("content_filter");
    }

    [Fact]
    public async Task Complete_WithoutKey_SendsAnEntraBearerTokenForTheCognitiveServicesScope()
    {
        // The SDK refuses bearer tokens over plain HTTP, so this one runs against an HTTPS server.
        await using var tls = await FakeProviderServer.StartAsync(https: true);
        tls.Reply = ctx => FakeProviderServer.Respond(ctx, 200, SuccessBody("ok", 1, 1));
        using var http = tls.TrustingHttpClient();
        var tokens = new FixedTokenProvider("entra-token-123");
        var client = new AzureOpenAiLlmClient(tls.BaseUrl, apiKey: null, Deployment, "westeurope", tokenProvider: tokens, httpClient: http);

        var response = await client.CompleteAsync(Request(), CancellationToken.None);

        response.Text.ShouldBe("ok");
        var sent = tls.Received.ShouldHaveSingleItem();
        sent.Header("Authorization").ShouldBe("Bearer entra-token-123");
        sent.Header("api-key").ShouldBeNull();
        tokens.Scopes.ShouldContain(AzureOpenAiLlmClient.TokenScope);
    }

    /// <summary>Stands in for DefaultAzureCredential: no Entra tenant on a test machine.</summary>
    private sealed class FixedTokenProvider(string token) : AuthenticationTokenProvider
    {
        public List<string> Scopes { get; } = [];

        public override GetTokenOptions? CreateTokenOptions(IReadOnlyDictionary<string, object> properties) => new(properties);

        public override AuthenticationToken GetToken(GetTokenOptions options, CancellationToken cancellationToken)
        {
            if (options.Properties.TryGetValue(GetTokenOptions.ScopesPropertyName, out var scopes))
            {
                Scopes.AddRange(scopes switch
                {
                    ReadOnlyMemory<string> memory => memory.ToArray(),
                    IEnumerable<string> many => many,
                    _ => [scopes.ToString()!],
                });
            }

            return new AuthenticationToken(token, "Bearer", DateTimeOffset.UtcNow.AddHours(1), null);
        }

        public override ValueTask<AuthenticationToken> GetTokenAsync(GetTokenOptions options, CancellationToken cancellationToken) =>
            new(GetToken(options, cancellationToken));
    }
}
