using Warden.Core.Guardrails.Budget;

namespace Warden.Runtime.Guardrails;

/// <summary>Administrative changes to guardrail state, applied in order with the decisions that read it.</summary>
public interface IGuardrailAdmin
{
    Task ResetBreakerAsync(string providerKey, CancellationToken ct = default);

    /// <summary>Sets the tenant's monthly budget (graphId null) or a graph's budget.</summary>
    Task<BudgetState> SetBudgetAsync(string tenantId, string? graphId, BudgetLimit limit, CancellationToken ct = default);
}
