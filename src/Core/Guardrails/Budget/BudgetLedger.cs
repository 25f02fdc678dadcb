using System.Collections.Immutable;
using System.Globalization;

namespace Warden.Core.Guardrails.Budget;

/// <summary>A spending cap; either part may be absent (no cap on that measure).</summary>
public sealed record BudgetLimit(decimal? MaxCostUsd, long? MaxTokens)
{
    public static BudgetLimit Unlimited { get; } = new(null, null);
}

public sealed record Reservation(decimal CostUsd, long Tokens);

/// <summary>
/// One budget (a tenant's month, a graph, a run): what is spent, and what steps in flight have reserved.
/// Wire contract: persisted as JSON and held by a Durable entity; additive changes only.
/// </summary>
public sealed record BudgetState(string Scope, BudgetLimit Limit, decimal SpentUsd, long SpentTokens, ImmutableDictionary<string, Reservation> Reservations)
{
    public static BudgetState For(string scope, BudgetLimit limit) =>
        new(scope, limit, 0m, 0, ImmutableDictionary<string, Reservation>.Empty.WithComparers(StringComparer.Ordinal));

    public decimal ReservedUsd => Reservations.Values.Sum(r => r.CostUsd);

    public long ReservedTokens => Reservations.Values.Sum(r => r.Tokens);

    public decimal? RemainingUsd => Limit.MaxCostUsd - SpentUsd - ReservedUsd;

    public long? RemainingTokens => Limit.MaxTokens - SpentTokens - ReservedTokens;

    /// <summary>Spent (not merely reserved) at or past a cap: nothing more may start.</summary>
    public bool Exhausted => SpentUsd >= Limit.MaxCostUsd || SpentTokens >= Limit.MaxTokens;
}

public abstract record BudgetOperation
{
    /// <summary>Hold the estimated cost of a step before it runs. Idempotent per key.</summary>
    public sealed record Reserve(string Key, decimal CostUsd, long Tokens) : BudgetOperation;

    /// <summary>Replace a step's reservation by what it actually cost.</summary>
    public sealed record Settle(string Key, decimal CostUsd, long Tokens) : BudgetOperation;

    public sealed record Release(string Key) : BudgetOperation;

    public sealed record SetLimit(BudgetLimit Limit) : BudgetOperation;
}

public readonly record struct BudgetDecision(bool Admitted, string? Reason, decimal? RemainingUsd, long? RemainingTokens);

/// <summary>Reserve before a step, settle after it; a reservation that would pass a cap is refused with the reason.</summary>
public static class BudgetLedger
{
    public const string ExceededCode = "BUDGET_EXCEEDED";

    public static (BudgetState State, BudgetDecision Decision) Apply(BudgetState state, BudgetOperation operation)
    {
        ArgumentNullException.ThrowIfNull(state);
        switch (operation)
        {
            case BudgetOperation.Reserve r when state.Reservations.ContainsKey(r.Key):
                return Admit(state);
            case BudgetOperation.Reserve r:
                if (Exceeds(state, r.CostUsd, r.Tokens) is { } reason)
                {
                    return (state, new BudgetDecision(false, reason, state.RemainingUsd, state.RemainingTokens));
                }

                return Admit(state with { Reservations = state.Reservations.SetItem(r.Key, new Reservation(r.CostUsd, r.Tokens)) });
            case BudgetOperation.Settle s:
                return Admit(state with
                {
                    SpentUsd = state.SpentUsd + s.CostUsd,
                    SpentTokens = state.SpentTokens + s.Tokens,
                    Reservations = state.Reservations.Remove(s.Key),
                });
            case BudgetOperation.Release rel:
                return Admit(state with { Reservations = state.Reservations.Remove(rel.Key) });
            case BudgetOperation.SetLimit l:
                return Admit(state with { Limit = l.Limit });
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, "unknown budget operation");
        }
    }

    private static string? Exceeds(BudgetState state, decimal cost, long tokens)
    {
        var spentAndHeld = state.SpentUsd + state.ReservedUsd;
        if (state.Limit.MaxCostUsd is { } maxCost && spentAndHeld + cost > maxCost)
        {
            return string.Create(CultureInfo.InvariantCulture, $"budget {state.Scope} of ${maxCost} would be exceeded: ${spentAndHeld:0.######} spent or held, next step needs about ${cost:0.######}");
        }

        var tokensHeld = state.SpentTokens + state.ReservedTokens;
        if (state.Limit.MaxTokens is { } maxTokens && tokensHeld + tokens > maxTokens)
        {
            return string.Create(CultureInfo.InvariantCulture, $"budget {state.Scope} of {maxTokens} tokens would be exceeded: {tokensHeld} used or held, next step needs about {tokens}");
        }

        return null;
    }

    private static (BudgetState, BudgetDecision) Admit(BudgetState state) =>
        (state, new BudgetDecision(true, null, state.RemainingUsd, state.RemainingTokens));
}
