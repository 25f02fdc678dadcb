using Microsoft.DurableTask.Entities;
using Warden.Core.Guardrails.CircuitBreaker;
using Warden.Core.Guardrails.RateLimit;

namespace Warden.Functions.Guardrails;

// Entity operation inputs. Wire contracts (task hub messages): additive changes only. Time and settings travel
// with each operation so the entities stay pure: they read no clock and no configuration.

public sealed record BreakerRequest(DateTimeOffset Now, CircuitBreakerOptions Options);

public sealed record RateRequest(DateTimeOffset Now, RateLimitOptions Options);

/// <summary>The entity ids of the guardrails, keyed as the embedded engine keys their rows (see <c>GuardrailKeys</c>).</summary>
public static class GuardrailEntityIds
{
    /// <param name="providerKey">provider or provider@region, shared by every tenant.</param>
    public static EntityInstanceId Breaker(string providerKey) => new(nameof(CircuitBreakerEntity), providerKey);

    public static EntityInstanceId LlmRate(string providerKey) => new(nameof(RateLimitEntity), providerKey);

    /// <param name="budgetKey">A run, graph or tenant-month budget key from <c>GuardrailKeys</c>.</param>
    public static EntityInstanceId Budget(string budgetKey) => new(nameof(BudgetEntity), budgetKey);
}
