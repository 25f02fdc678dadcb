using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using OpenAI;
using OpenAI.Chat;

namespace Warden.Runtime.Providers;

/// <summary>
/// One chat completion through the OpenAI .NET SDK's <see cref="ChatClient"/>, with failures classified.
/// Shared by the OpenAI and Azure OpenAI adapters: Azure's /openai/v1 endpoint speaks the same wire format,
/// so the two differ only in endpoint, credential and which model name goes on the wire.
/// </summary>
internal sealed class OpenAiChat(string provider, OpenAIClient client, string? secret, int maxOutputTokens)
{
    /// <summary>
    /// A backstop only: the executor cancels each call at the node's timeout. The SDK's default (100 s) would
    /// otherwise cut off long generations on nodes that allow more.
    /// </summary>
    private static readonly TimeSpan NetworkBackstop = TimeSpan.FromMinutes(10);

    /// <summary>
    /// SDK-level retries are off (<see cref="ClientRetryPolicy"/> with zero retries): the Warden router retries with
    /// Polly, records each attempt, and needs to see every 429 and its Retry-After rather than a silent extra wait.
    /// </summary>
    public static OpenAIClientOptions Options(Uri endpoint, HttpClient? httpClient = null)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = NetworkBackstop,
        };
        options.AddPolicy(new ResponseCapture.Policy(), PipelinePosition.BeforeTransport);
        if (httpClient is not null)
        {
            options.Transport = new HttpClientPipelineTransport(httpClient);
        }

        return options;
    }

    public async Task<LlmResponse> CompleteAsync(string wireModel, LlmRequest request, CancellationToken ct)
    {
        ChatMessage[] messages = [new SystemChatMessage(AgentPrompts.System(request.Role)), new UserChatMessage(request.Prompt)];
        var options = new ChatCompletionOptions { MaxOutputTokenCount = maxOutputTokens };
        var wire = ResponseCapture.Begin();
        try
        {
            var completion = (await client.GetChatClient(wireModel).CompleteChatAsync(messages, options, ct)).Value;
            if (completion.FinishReason == ChatFinishReason.ContentFilter)
            {
                throw new LlmException($"{provider}: the reply was withheld by the content filter", retryable: false, statusCode: 200);
            }

            if (!string.IsNullOrEmpty(completion.Refusal))
            {
                throw new LlmException($"{provider}: the model refused: {Shorten(completion.Refusal)}", retryable: false, statusCode: 200);
            }

            // Report the node's model, not the dated snapshot or deployment name the service echoes: the price table
            // and the run history key on the name the graph asked for.
            return new LlmResponse(TextOf(completion), completion.Usage?.InputTokenCount ?? 0, completion.Usage?.OutputTokenCount ?? 0, request.Model);
        }
        catch (ClientResultException ex) when (ex.GetRawResponse() is { Status: > 0 } response)
        {
            throw ProviderErrors.FromStatus(provider, response.Status, BodyOf(response), wire.RetryAfter, secret);
        }
        catch (ClientResultException ex)
        {
            // No response at all: the pipeline wraps refused or reset connections.
            throw ProviderErrors.Transport(provider, ex.InnerException ?? ex, secret);
        }
        catch (HttpRequestException ex)
        {
            throw ProviderErrors.Transport(provider, ex, secret);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw ProviderErrors.Timeout(provider);
        }
        catch (Exception ex) when (wire.Succeeded && ex is not (OperationCanceledException or LlmException))
        {
            // A 2xx arrived but the SDK could not read it: broken JSON surfaces as JsonException, JSON of the wrong
            // shape as index or type errors from the SDK's reader.
            throw ProviderErrors.Unreadable(provider, wire.Status);
        }
    }

    private static string? BodyOf(PipelineResponse response)
    {
        try
        {
            return response.Content.ToString();
        }
        catch (InvalidOperationException)
        {
            // The body was not buffered; the status alone still classifies the failure.
            return null;
        }
    }

    private static string TextOf(ChatCompletion completion)
    {
        var text = new StringBuilder();
        foreach (var part in completion.Content)
        {
            if (part.Kind == ChatMessageContentPartKind.Text)
            {
                text.Append(part.Text);
            }
        }

        return text.ToString();
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
