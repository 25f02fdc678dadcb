using System.ClientModel.Primitives;

namespace Warden.Runtime.Providers;

/// <summary>What arrived on the wire for the call in progress: the status and the Retry-After it asked for.</summary>
internal sealed class CapturedResponse
{
    public int? Status { get; private set; }

    public TimeSpan? RetryAfter { get; private set; }

    /// <summary>True when a 2xx arrived, so any later failure is a failure to read it.</summary>
    public bool Succeeded => Status is >= 200 and < 300;

    public void Record(int status, Func<string, string?> header)
    {
        Status = status;
        RetryAfter = status is >= 200 and < 300 ? null : ProviderErrors.ParseRetryAfter(header("Retry-After-Ms"), header("Retry-After"), DateTimeOffset.UtcNow);
    }
}

/// <summary>
/// Records each provider response for the adapter that is waiting on it. The SDKs' exceptions lose what the router
/// needs (Anthropic's drop headers; OpenAI's surface a wrong-shaped 2xx body as an index or type error), so a hook in
/// each SDK's pipeline notes the status and Retry-After. Per call through an <see cref="AsyncLocal{T}"/>, so concurrent
/// calls on one client never see each other's responses.
/// </summary>
internal static class ResponseCapture
{
    private static readonly AsyncLocal<CapturedResponse?> Current = new();

    /// <summary>Starts a call; the SDK hooks below fill the returned record.</summary>
    public static CapturedResponse Begin() => Current.Value = new CapturedResponse();

    /// <summary>For SDKs built on <see cref="HttpClient"/> handlers (Anthropic).</summary>
    public sealed class Handler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            Current.Value?.Record((int)response.StatusCode, name => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null);
            return response;
        }
    }

    /// <summary>For SDKs built on System.ClientModel pipelines (OpenAI).</summary>
    public sealed class Policy : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            ProcessNext(message, pipeline, currentIndex);
            Record(message);
        }

        public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            await ProcessNextAsync(message, pipeline, currentIndex);
            Record(message);
        }

        private static void Record(PipelineMessage message)
        {
            if (message.Response is { } response)
            {
                Current.Value?.Record(response.Status, name => response.Headers.TryGetValue(name, out var value) ? value : null);
            }
        }
    }
}
