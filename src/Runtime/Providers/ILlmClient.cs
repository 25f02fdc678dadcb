using Warden.Core.Runs;

namespace Warden.Runtime.Providers;

public sealed record LlmRequest(string Model, string Role, string Prompt, NodeInvocation Invocation);

public sealed record LlmResponse(string Text, int InputTokens, int OutputTokens, string Model);

/// <summary>One model provider. Adapters classify failures so the decider knows whether a retry can help.</summary>
public interface ILlmClient
{
    string Name { get; }

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
}
