using System.ClientModel;
using OpenAI;

namespace Warden.Runtime.Providers;

/// <summary>
/// OpenAI's chat completions API through the OpenAI .NET SDK. The node's model is sent as is.
/// Configured by OPENAI_API_KEY and, for a proxy or a test server, OPENAI_BASE_URL (see <see cref="ProviderConfiguration"/>).
/// </summary>
public sealed class OpenAiLlmClient : ILlmClient
{
    public const string ProviderName = "openai";

    /// <summary>The SDK's own default; stated so a base URL override is always relative to the same shape.</summary>
    public static readonly Uri DefaultEndpoint = new("https://api.openai.com/v1");

    private readonly OpenAiChat _chat;

    /// <param name="apiKey">Sent as a bearer token; never echoed in errors.</param>
    /// <param name="endpoint">The API root including <c>/v1</c>; requests go to <c>{endpoint}/chat/completions</c>.</param>
    /// <param name="maxOutputTokens">Upper bound on each reply, sent as <c>max_completion_tokens</c>.</param>
    public OpenAiLlmClient(string apiKey, Uri? endpoint = null, int maxOutputTokens = AgentPrompts.DefaultMaxOutputTokens)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        var client = new OpenAIClient(new ApiKeyCredential(apiKey), OpenAiChat.Options(endpoint ?? DefaultEndpoint));
        _chat = new OpenAiChat(ProviderName, client, apiKey, maxOutputTokens);
    }

    public string Name => ProviderName;

    public Task<LlmResponse> CompleteAsync(LlmRequest request, CancellationToken ct) => _chat.CompleteAsync(request.Model, request, ct);
}
