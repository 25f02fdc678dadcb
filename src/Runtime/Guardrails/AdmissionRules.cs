using System.Globalization;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Guardrails.Budget;
using Warden.Core.Runs;

namespace Warden.Runtime.Guardrails;

/// <summary>
/// The pure part of answering <see cref="AskGuardrails"/>, shared by both engines: the embedded engine's
/// <see cref="GuardrailService"/> (state in the store) and the Durable orchestrator (state in entities) ask
/// their breakers, rate windows and budgets in the same order and phrase the answer with these functions.
/// </summary>
public static class AdmissionRules
{
    /// <summary>Candidates in the order the provider strategy prefers.</summary>
    public static List<ProviderChoice> Order(List<ProviderChoice> candidates, ProviderStrategy strategy, PriceTable prices, string runId, string nodeId, int visit)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(prices);
        switch (strategy)
        {
            case ProviderStrategy.LowestCost:
                return candidates.OrderBy(c => prices.PriceOf(c.Model).InputPer1K + prices.PriceOf(c.Model).OutputPer1K).ToList();
            case ProviderStrategy.RoundRobin when candidates.Count > 1:
                var shift = (int)(StableHash.Of(runId, nodeId, visit) % (ulong)candidates.Count);
                return candidates.Skip(shift).Concat(candidates.Take(shift)).ToList();
            default:
                return candidates;
        }
    }

    /// <summary>What the step is expected to cost on the first admitted provider, held until it reports.</summary>
    public static BudgetOperation.Reserve Reservation(AskGuardrails ask, string runId, ProviderChoice first, PriceTable prices, int expectedOutputTokens)
    {
        ArgumentNullException.ThrowIfNull(ask);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(prices);
        var estimate = prices.Price(first.Model, ask.PromptTokens, expectedOutputTokens);
        return new BudgetOperation.Reserve(ask.ReservationKey(runId), estimate.CostUsd, estimate.TotalTokens);
    }

    public static GuardrailAnswered Admitted(AskGuardrails ask, IReadOnlyList<ProviderChoice> providers)
    {
        ArgumentNullException.ThrowIfNull(ask);
        return new(ask.NodeId, ask.Visit, ask.Attempt, AdmissionVerdict.Admitted, providers);
    }

    public static GuardrailAnswered BreakersOpen(AskGuardrails ask, IEnumerable<ProviderChoice> ordered, TimeSpan? soonest) =>
        Throttled(ask, $"the circuit breaker is open for {string.Join(", ", ordered.Select(c => c.Key))}", soonest);

    public static GuardrailAnswered RateLimited(AskGuardrails ask, ProviderChoice provider, int callsPerMinute, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return Throttled(ask, $"{provider.Key} is at its limit of {callsPerMinute} calls per minute", retryAfter);
    }

    public static GuardrailAnswered OverBudget(AskGuardrails ask, string? reason)
    {
        ArgumentNullException.ThrowIfNull(ask);
        return new(ask.NodeId, ask.Visit, ask.Attempt, AdmissionVerdict.BudgetExceeded, [], reason);
    }

    /// <summary>
    /// Whether a call says anything about its provider's health: a request refused as invalid does not, nor does a
    /// fault a run's chaos injected (chaos must never open a breaker other runs go through).
    /// </summary>
    public static bool TellsBreaker(ProviderCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return !call.Injected && (call.Succeeded || call.Retryable);
    }

    /// <summary>Frees what a finished run still holds in a budget (reservations of steps that never reported).</summary>
    public static BudgetState ReleaseRun(BudgetState state, string runId)
    {
        ArgumentNullException.ThrowIfNull(state);
        var prefix = runId + "/";
        foreach (var held in state.Reservations.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            state = BudgetLedger.Apply(state, new BudgetOperation.Release(held)).State;
        }

        return state;
    }

    /// <summary>Why a tenant whose monthly budget is spent may not start runs.</summary>
    public static string TenantBudgetSpent(BudgetState state, BudgetLimit limit)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(limit);
        return string.Create(CultureInfo.InvariantCulture, $"the tenant's monthly budget is spent (${state.SpentUsd:0.######} of ${limit.MaxCostUsd}, {state.SpentTokens} of {limit.MaxTokens?.ToString(CultureInfo.InvariantCulture) ?? "unlimited"} tokens); an admin can raise it with PUT /api/v1/budgets/tenant");
    }

    private static GuardrailAnswered Throttled(AskGuardrails ask, string reason, TimeSpan? retryAfter)
    {
        ArgumentNullException.ThrowIfNull(ask);
        return new(ask.NodeId, ask.Visit, ask.Attempt, AdmissionVerdict.Throttled, [], reason, retryAfter);
    }
}
