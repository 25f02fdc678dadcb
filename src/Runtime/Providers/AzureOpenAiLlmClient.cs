using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.Identity;
using OpenAI;

namespace Warden.Runtime.Providers;

/// <summary>
/// One Azure OpenAI resource (one region) through the OpenAI .NET SDK against the resource's <c>/openai/v1</c>
/// endpoint, which speaks OpenAI's wire format, so no Azure-specific client library is needed.
/// Authenticates with the resource's API key (<c>api-key</c> header) or, without a key, a Microsoft Entra token.
/// Several instances, one per region, are how the router gets region fallbacks (see <see cref="ProviderConfiguration"/>).
/// </summary>
public sealed class AzureOpenAiLlmClient : ILlmClient
{
    public const string ProviderName = "azure-openai";

    /// <summary>The Entra scope for Azure AI services data-plane calls.</summary>
    public const string TokenScope = "https://cognitiveservices.azure.com/.default";

    private readonly OpenAiChat _chat;
    private readonly string? _deployment;

    /// <param name="resourceEndpoint">The resource, e.g. <c>https://contoso-eastus.openai.azure.com</c>; <c>/openai/v1</c> is added when missing.</param>
    /// <param name="apiKey">The resource key; when null, <paramref name="tokenProvider"/> (default: DefaultAzureCredential) supplies Entra tokens.</param>
    /// <param name="deployment">The deployment name to send as the model; null sends the node's model (deployments named after their model).</param>
    /// <param name="region">A label for the router, e.g. <c>eastus</c>.</param>
    /// <param name="httpClient">Optional, for a proxy or custom TLS trust; the SDK's own client otherwise.</param>
    public AzureOpenAiLlmClient(
        Uri resourceEndpoint,
        string? apiKey,
        string? deployment = null,
        string? region = null,
        int maxOutputTokens = AgentPrompts.DefaultMaxOutputTokens,
        AuthenticationTokenProvider? tokenProvider = null,
        HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(resourceEndpoint);
        AuthenticationPolicy auth = string.IsNullOrEmpty(apiKey)
            ? new BearerTokenPolicy(tokenProvider ?? new DefaultAzureCredential(), TokenScope)
            : ApiKeyAuthenticationPolicy.CreateHeaderApiKeyPolicy(new ApiKeyCredential(apiKey), "api-key");
        Endpoint = V1Endpoint(resourceEndpoint);

        // OPENAI001: the AuthenticationPolicy constructor is marked for evaluation, but it is the SDK's documented way
        // to authenticate to Azure with Entra tokens, and the only way to send the key in Azure's api-key header.
#pragma warning disable OPENAI001
        var client = new OpenAIClient(auth, OpenAiChat.Options(Endpoint, httpClient));
#pragma warning restore OPENAI001
        _chat = new OpenAiChat(ProviderName, client, apiKey, maxOutputTokens);
        _deployment = string.IsNullOrWhiteSpace(deployment) ? null : deployment;
        Region = string.IsNullOrWhiteSpace(region) ? null : region;
    }

    public string Name => ProviderName;

    public string? Region { get; }

    /// <summary>The v1 API root requests go to (<c>{Endpoint}/chat/completions</c>).</summary>
    public Uri Endpoint { get; }

    public Task<LlmResponse> CompleteAsync(LlmRequest request, CancellationToken ct) =>
        _chat.CompleteAsync(_deployment ?? request.Model, request, ct);

    /// <summary>Accepts the resource root as the portal shows it, with or without the <c>/openai/v1</c> suffix.</summary>
    public static Uri V1Endpoint(Uri resource)
    {
        var root = resource.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return root.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase) ? new Uri(root) : new Uri(root + "/openai/v1");
    }
}
