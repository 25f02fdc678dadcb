using System.Globalization;

namespace Warden.Runtime.Guardrails;

/// <summary>Where each guardrail's state lives. Tenant-owned keys carry the tenant id.</summary>
public static class GuardrailKeys
{
    public const string BreakerKind = "breaker";
    public const string RateKind = "llm_rate";
    public const string BudgetKind = "budget";
    public const string LimitKind = "budget_limit";

    /// <summary>Provider health is global: one breaker per provider and region, shared by every tenant.</summary>
    public static string Breaker(string providerKey) => $"breaker:{providerKey}";

    public static string LlmRate(string providerKey) => $"llm-rate:{providerKey}";

    public static string RunBudget(string runId) => $"budget:run:{runId}";

    public static string GraphBudget(string tenantId, string graphId) => $"budget:graph:{tenantId}:{graphId}";

    /// <summary>Tenant budgets are per calendar month (UTC).</summary>
    public static string TenantBudget(string tenantId, DateTimeOffset now) =>
        $"budget:tenant:{tenantId}:{now.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture)}";

    public static string GraphLimit(string tenantId, string graphId) => $"limit:graph:{tenantId}:{graphId}";

    public static string TenantLimit(string tenantId) => $"limit:tenant:{tenantId}";
}
