using Warden.Core.Runs;

namespace Warden.Runtime.Providers;

public sealed record LlmRequest(string Model, string Role, string Prompt, NodeInvocation Invocation);

public sealed record LlmResponse(string Text, int InputTokens, int OutputTokens, string Model);

/// <summary>One model provider. Adapters classify failures so the decider knows whether a retry can help.</summary>
public interface ILlmClient
{
    string Name { get; }

    /// <summary>
    /// Where this client's endpoint lives, when a provider is configured in several regions (Azure OpenAI);
    /// null for providers with one global endpoint. The router uses it to fall back region by region.
    /// </summary>
    string? Region => null;

    /// <summary>Whether the router may retry a retryable failure with this client before falling back.</summary>
    bool RetryInCall => true;

    Task<LlmResponse> CompleteAsync(LlmRequest request, CancellationToken ct);
}

/// <summary>A provider call failed; <see cref="Retryable"/> says whether trying again may succeed.</summary>
public sealed class LlmException : Exception
{
    public LlmException(string message, bool retryable)
        : base(message)
    {
        Retryable = retryable;
    }

    /// <summary>A classified HTTP failure. Callers must keep secrets out of <paramref name="message"/> and the inner exception.</summary>
    public LlmException(string message, bool retryable, int? statusCode, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Retryable = retryable;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    public LlmException()
    {
    }

    public LlmException(string message)
        : base(message)
    {
    }

    public LlmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public bool Retryable { get; }

    /// <summary>The provider's HTTP status, or null when no response arrived (timeouts, refused connections).</summary>
    public int? StatusCode { get; }

    /// <summary>How long the provider asked us to wait (Retry-After), so the router's backoff can honour it.</summary>
    public TimeSpan? RetryAfter { get; }
}
