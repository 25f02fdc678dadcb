using System.Text;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;

namespace Warden.Runtime.Providers;

/// <summary>
/// Anthropic's Messages API through the Anthropic C# SDK. The node's model is sent as is.
/// Configured by ANTHROPIC_API_KEY and, for a proxy or a test server, ANTHROPIC_BASE_URL (see <see cref="ProviderConfiguration"/>).
/// </summary>
public sealed class AnthropicLlmClient : ILlmClient, IDisposable
{
    public const string ProviderName = "anthropic";

    public static readonly Uri DefaultEndpoint = new("https://api.anthropic.com");

    /// <summary>A backstop only: the executor cancels each call at the node's timeout.</summary>
    private static readonly TimeSpan NetworkBackstop = TimeSpan.FromMinutes(10);

    private readonly AnthropicClient _client;
    private readonly string _apiKey;
    private readonly int _maxOutputTokens;

    /// <param name="apiKey">Sent by the SDK (13.x: as a bearer token); never echoed in errors.</param>
    /// <param name="endpoint">The API root without <c>/v1</c>; requests go to <c>{endpoint}/v1/messages</c>.</param>
    public AnthropicLlmClient(string apiKey, Uri? endpoint = null, int maxOutputTokens = AgentPrompts.DefaultMaxOutputTokens)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        _apiKey = apiKey;
        _maxOutputTokens = maxOutputTokens;

        // The base URL is always set explicitly so the SDK never falls back to reading ANTHROPIC_BASE_URL itself, and
        // MaxRetries = 0 turns off the SDK's own retry loop (2 retries by default): the Warden router retries with
        // Polly and must see each 429 and its Retry-After. The SDK's exceptions do not carry response headers, so a
        // handler in its pipeline records the status and Retry-After for the failure we raise.
        _client = new AnthropicClient(new ClientOptions
        {
            ApiKey = apiKey,
            BaseUrl = (endpoint ?? DefaultEndpoint).ToString().TrimEnd('/'),
            MaxRetries = 0,
            Timeout = NetworkBackstop,
            Handlers = [new ResponseCapture.Handler()],
        });
    }

    public string Name => ProviderName;

    public async Task<LlmResponse> CompleteAsync(LlmRequest request, CancellationToken ct)
    {
        var parameters = new MessageCreateParams
        {
            Model = request.Model,
            MaxTokens = _maxOutputTokens,
            System = AgentPrompts.System(request.Role),
            Messages = [new UserMessageParam(request.Prompt)],
        };

        var wire = ResponseCapture.Begin();
        try
        {
            var message = await _client.Messages.Create(parameters, ct);

            // The SDK parses lazily, so a malformed body surfaces while reading fields: read them all here.
            if (message.StopReason is { } stop && stop.Raw() == "refusal")
            {
                throw new LlmException($"{ProviderName}: the model refused to answer", retryable: false, statusCode: 200);
            }

            var text = new StringBuilder();
            foreach (var block in message.Content)
            {
                if (block.TryPickText(out var textBlock))
                {
                    text.Append(textBlock.Text);
                }
            }

            // Cache reads and writes are billed input too; counting them keeps cost accounting honest if caching is used.
            var usage = message.Usage;
            var input = usage.InputTokens + (usage.CacheCreationInputTokens ?? 0) + (usage.CacheReadInputTokens ?? 0);
            return new LlmResponse(text.ToString(), Clamp(input), Clamp(usage.OutputTokens), request.Model);
        }
        catch (AnthropicApiException ex)
        {
            throw ProviderErrors.FromStatus(ProviderName, (int)ex.StatusCode, ex.ResponseBody, wire.RetryAfter, _apiKey);
        }
        catch (AnthropicIOException ex)
        {
            throw ProviderErrors.Transport(ProviderName, ex.InnerException, _apiKey);
        }
        catch (HttpRequestException ex)
        {
            throw ProviderErrors.Transport(ProviderName, ex, _apiKey);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw ProviderErrors.Timeout(ProviderName);
        }
        catch (Exception ex) when (wire.Succeeded && ex is not (OperationCanceledException or LlmException))
        {
            // A 2xx arrived but could not be read: AnthropicInvalidDataException or JsonException from the SDK's
            // lazy parsing, or whatever a body of the wrong shape makes it throw.
            throw ProviderErrors.Unreadable(ProviderName, wire.Status);
        }
    }

    public void Dispose() => _client.Dispose();

    private static int Clamp(long tokens) => (int)Math.Clamp(tokens, 0, int.MaxValue);
}
