using Warden.Core.Runs;

namespace Warden.Runtime.Providers;

public sealed record LlmRequest(string Model, string Role, string Prompt, NodeInvocation Invocation);

public sealed record LlmResponse(string Text, int InputTokens, int OutputTokens, string Model);

/// <summary>One model provider. Adapters classify failures so the decider knows whether a retry can help.</summary>
public interface ILlmClient
{
    string Name { get; }

    /// <summary>The region this client calls, when a provider is deployed in several; null otherwise.</summary>
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

    /// <summary>How long the provider asked us to wait (a 429's Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The HTTP status the provider answered with, when there was one.</summary>
    public int? StatusCode { get; init; }
}
