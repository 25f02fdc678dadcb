using System.Collections.Concurrent;
using Warden.Core.Guardrails.RateLimit;

namespace Warden.Runtime.Guardrails;

/// <summary>The per-tenant limit on API requests. Implementations must agree across every instance serving a tenant.</summary>
public interface IApiRateLimiter
{
    ValueTask<RateLimitDecision> AcquireAsync(string tenantId, CancellationToken ct = default);
}

/// <summary>
/// In-process sliding windows, one per tenant: right for the embedded engine, where one process serves the
/// data directory. A multi-instance host needs a limiter backed by its shared store.
/// </summary>
public sealed class InProcessApiRateLimiter(GuardrailOptions options, TimeProvider clock) : IApiRateLimiter
{
    private readonly ConcurrentDictionary<string, StrongBox> _windows = new(StringComparer.Ordinal);

    public ValueTask<RateLimitDecision> AcquireAsync(string tenantId, CancellationToken ct = default)
    {
        var box = _windows.GetOrAdd(tenantId, _ => new StrongBox());
        lock (box)
        {
            var (state, decision) = SlidingWindow.TryAcquire(box.State, clock.GetUtcNow(), RateLimitOptions.PerMinute(options.ApiRequestsPerMinute));
            box.State = state;
            return ValueTask.FromResult(decision);
        }
    }

    private sealed class StrongBox
    {
        public SlidingWindowState State { get; set; }
    }
}
