using Warden.Runtime.Providers;

namespace Warden.Runtime.Tests.Support;

/// <summary>
/// A provider whose health the test controls: it fails with a retryable 503 while <see cref="Failing"/> is set.
/// Engine and guardrail tests use it; the real adapters are tested against wire-format servers.
/// </summary>
public sealed class ScriptedProvider(string name) : ILlmClient
{
    private int _calls;
    private volatile bool _failing = true;

    public string Name { get; } = name;

    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    public int Calls => _calls;

    public Task<LlmResponse> CompleteAsync(LlmRequest request, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        return Failing
            ? throw new LlmException($"{Name}: 503 service unavailable", retryable: true, statusCode: 503)
            : Task.FromResult(new LlmResponse($"{Name} says hi", 40, 10, request.Model));
    }
}
