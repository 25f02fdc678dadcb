using Warden.Core.Providers;
using Warden.Core.Runs;

namespace Warden.Runtime.Providers;

/// <summary>
/// The default provider when no keys are configured: no network, replies from <see cref="MockResponder"/>.
/// Honours the node's <c>mock</c> settings: latency, failing the first N attempts, and a seeded error rate.
/// </summary>
public sealed class MockLlmClient(TimeProvider clock) : ILlmClient
{
    public const string ProviderName = "mock";

    public string Name => ProviderName;

    /// <summary>Scripted failures belong to the node's attempt: retrying within the attempt cannot change them.</summary>
    public bool RetryInCall => false;

    public async Task<LlmResponse> CompleteAsync(LlmRequest request, CancellationToken ct)
    {
        var inv = request.Invocation;
        if (inv.Mock.LatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(inv.Mock.LatencyMs), clock, ct);
        }

        if (inv.Attempt <= inv.Mock.FailFirstAttempts)
        {
            throw new LlmException($"mock provider: simulated failure of attempt {inv.Attempt} (fail_first_attempts={inv.Mock.FailFirstAttempts})", retryable: true);
        }

        if (inv.Mock.ErrorRate > 0 && StableHash.Unit(inv.Seed, inv.NodeId, inv.Visit, inv.Attempt, "mock-error") < inv.Mock.ErrorRate)
        {
            throw new LlmException($"mock provider: simulated 503 (error_rate={inv.Mock.ErrorRate})", retryable: true);
        }

        if (inv.Mock.Replies is { } scripted && inv.Attempt <= scripted.Count)
        {
            var text = scripted[inv.Attempt - 1];
            return new LlmResponse(text, MockResponder.EstimateTokens(request.Prompt) + 24, MockResponder.EstimateTokens(text), request.Model);
        }

        var reply = inv.Mock.Response is { } fixedReply
            ? new MockReply(fixedReply, MockResponder.EstimateTokens(request.Prompt) + 24, MockResponder.EstimateTokens(fixedReply))
            : MockResponder.Respond(inv.Seed, inv.NodeId, request.Role, request.Prompt);
        return new LlmResponse(reply.Text, reply.InputTokens, reply.OutputTokens, request.Model);
    }
}
