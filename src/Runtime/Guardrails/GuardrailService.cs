using Warden.Core.Costs;
using Warden.Core.Governance.Policies;
using Warden.Core.Graphs;
using Warden.Core.Guardrails.Budget;
using Warden.Core.Guardrails.CircuitBreaker;
using Warden.Core.Guardrails.RateLimit;
using Warden.Core.Runs;
using Warden.Core.Serialization;
using Warden.Runtime.Engine;

namespace Warden.Runtime.Guardrails;

/// <summary>
/// The embedded engine's guardrail "entities": breakers, LLM rate windows and budgets, each a Core state
/// machine whose state is kept per key in the store and changed only on the writer thread, inside the
/// transaction of the decision that needs it — the same serialized updates Durable entities give on Azure.
/// </summary>
/// <param name="toolActionClass">A tenant's tool's action class (null: no such tool), from the catalog store.</param>
internal sealed class GuardrailService(GuardrailOptions options, PriceTable prices, Func<ProviderChoice, IEnumerable<ProviderChoice>> expand, Func<string, string, string?> toolActionClass)
{
    private static readonly object Missing = new();
    private readonly Dictionary<string, object> _cache = new(StringComparer.Ordinal);

    /// <summary>Drops cached states after a rolled-back batch; they are read again from the store.</summary>
    public void Forget() => _cache.Clear();

    public GuardrailAnswered Answer(EngineSql sql, string tenantId, RunState run, AskGuardrails ask, DateTimeOffset now)
    {
        if (ask.Tool is not null)
        {
            return AnswerTool(tenantId, ask);
        }

        var ordered = AdmissionRules.Order(ask.Candidates.SelectMany(expand).Distinct().ToList(), options.Strategy, prices, run.RunId, ask.NodeId, ask.Visit);
        var allowed = new List<ProviderChoice>(ordered.Count);
        TimeSpan? soonest = null;
        foreach (var candidate in ordered)
        {
            var decision = Breaker(sql, candidate.Key, BreakerOperation.Check, now);
            if (decision.Allowed)
            {
                allowed.Add(candidate);
            }
            else if (soonest is null || decision.RetryAfter < soonest)
            {
                soonest = decision.RetryAfter;
            }
        }

        if (allowed.Count == 0)
        {
            return AdmissionRules.BreakersOpen(ask, ordered, soonest);
        }

        if (options.LlmCallsPerMinute > 0)
        {
            var key = GuardrailKeys.LlmRate(allowed[0].Key);
            var (window, rate) = SlidingWindow.TryAcquire(Get(sql, key, () => SlidingWindowState.Empty), now, RateLimitOptions.PerMinute(options.LlmCallsPerMinute));
            Put(sql, key, GuardrailKeys.RateKind, null, window, now);
            if (!rate.Allowed)
            {
                return AdmissionRules.RateLimited(ask, allowed[0], options.LlmCallsPerMinute, rate.RetryAfter);
            }
        }

        var reservation = AdmissionRules.Reservation(ask, run.RunId, allowed[0], prices, options.ExpectedOutputTokens);
        var reserved = new List<string>(3);
        foreach (var (key, limit) in Budgets(sql, tenantId, run, ask.RunBudget, now))
        {
            var (state, decision) = BudgetLedger.Apply(Budget(sql, key, limit), reservation);
            if (!decision.Admitted)
            {
                foreach (var held in reserved)
                {
                    Put(sql, held, GuardrailKeys.BudgetKind, tenantId, BudgetLedger.Apply(Budget(sql, held, null), new BudgetOperation.Release(reservation.Key)).State, now);
                }

                return AdmissionRules.OverBudget(ask, decision.Reason);
            }

            Put(sql, key, GuardrailKeys.BudgetKind, tenantId, state, now);
            reserved.Add(key);
        }

        return AdmissionRules.Admitted(ask, allowed);
    }

    /// <summary>A tool step: the tool must be the tenant's own, and the graph's tool policies decide.</summary>
    private GuardrailAnswered AnswerTool(string tenantId, AskGuardrails ask)
    {
        var tool = ask.Tool!;
        if (toolActionClass(tenantId, tool) is not { } actionClass)
        {
            return new GuardrailAnswered(ask.NodeId, ask.Visit, ask.Attempt, AdmissionVerdict.Denied, [], $"tool '{tool}' is not registered for this tenant");
        }

        var decision = ToolPolicyEvaluator.Evaluate(
            new ToolPolicySet([], ask.ToolPolicies ?? []),
            tool,
            Enum.Parse<ActionClass>(actionClass, ignoreCase: true),
            RunMode.Normal);
        var why = $"tool '{tool}' ({actionClass}): {decision.Reason}";
        return decision.Verdict switch
        {
            ToolVerdict.Deny => new GuardrailAnswered(ask.NodeId, ask.Visit, ask.Attempt, AdmissionVerdict.Denied, [], why),
            ToolVerdict.RequireApproval => new GuardrailAnswered(ask.NodeId, ask.Visit, ask.Attempt, AdmissionVerdict.ApprovalRequired, ask.Candidates, why),
            _ => new GuardrailAnswered(ask.NodeId, ask.Visit, ask.Attempt, AdmissionVerdict.Admitted, ask.Candidates, why),
        };
    }

    /// <summary>Settles the step's budgets with what it cost and tells each provider's breaker how its calls went.</summary>
    public void Record(EngineSql sql, string tenantId, RunState run, BudgetLimit? runBudget, RecordOutcome outcome, DateTimeOffset now)
    {
        foreach (var (key, limit) in Budgets(sql, tenantId, run, runBudget, now))
        {
            var settle = new BudgetOperation.Settle(outcome.ReservationKey, outcome.Usage.CostUsd, outcome.Usage.TotalTokens);
            Put(sql, key, GuardrailKeys.BudgetKind, tenantId, BudgetLedger.Apply(Budget(sql, key, limit), settle).State, now);
        }

        foreach (var call in outcome.Calls)
        {
            if (AdmissionRules.TellsBreaker(call))
            {
                Breaker(sql, new ProviderChoice(call.Provider, call.Model, call.Region).Key, call.Succeeded ? BreakerOperation.Success : BreakerOperation.Failure, now, (tenantId, run.RunId));
            }
        }
    }

    /// <summary>Frees what a finished run still holds in shared budgets (reservations of steps that never reported).</summary>
    public void ReleaseRun(EngineSql sql, string tenantId, RunState run, BudgetLimit? runBudget, DateTimeOffset now)
    {
        foreach (var (key, limit) in Budgets(sql, tenantId, run, runBudget, now))
        {
            Put(sql, key, GuardrailKeys.BudgetKind, tenantId, AdmissionRules.ReleaseRun(Budget(sql, key, limit), run.RunId), now);
        }
    }

    /// <summary>Why the tenant may not start runs now (its monthly budget is spent), or null.</summary>
    public string? TenantBlocked(EngineSql sql, string tenantId, DateTimeOffset now)
    {
        if (Limit(sql, GuardrailKeys.TenantLimit(tenantId)) is not { } limit)
        {
            return null;
        }

        var state = Budget(sql, GuardrailKeys.TenantBudget(tenantId, now), limit);
        return state.Exhausted ? AdmissionRules.TenantBudgetSpent(state, limit) : null;
    }

    public void ResetBreaker(EngineSql sql, string providerKey, DateTimeOffset now) =>
        Put(sql, GuardrailKeys.Breaker(providerKey), GuardrailKeys.BreakerKind, null, CircuitBreakerTransitions.Apply(CircuitBreakerState.Closed, BreakerOperation.Reset, now, options.Breaker).State, now);

    /// <summary>Sets a graph or tenant budget. Spend so far is taken from the usage records, so a new cap counts what was already spent.</summary>
    public BudgetState SetLimit(EngineSql sql, string tenantId, string? graphId, BudgetLimit limit, DateTimeOffset now)
    {
        var (limitKey, budgetKey) = graphId is null
            ? (GuardrailKeys.TenantLimit(tenantId), GuardrailKeys.TenantBudget(tenantId, now))
            : (GuardrailKeys.GraphLimit(tenantId, graphId), GuardrailKeys.GraphBudget(tenantId, graphId));
        Put(sql, limitKey, GuardrailKeys.LimitKind, tenantId, limit, now);
        var state = TryGet<BudgetState>(sql, budgetKey);
        if (state is null)
        {
            var monthStart = new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
            var (cost, tokens) = sql.SpendSince(tenantId, graphId, graphId is null ? monthStart : DateTimeOffset.MinValue);
            state = BudgetState.For(budgetKey, limit) with { SpentUsd = cost, SpentTokens = tokens };
        }

        state = BudgetLedger.Apply(state, new BudgetOperation.SetLimit(limit)).State;
        Put(sql, budgetKey, GuardrailKeys.BudgetKind, tenantId, state, now);
        return state;
    }

    private IEnumerable<(string Key, BudgetLimit Limit)> Budgets(EngineSql sql, string tenantId, RunState run, BudgetLimit? runBudget, DateTimeOffset now)
    {
        // A run has a budget exactly when its graph declares one: no store lookup for the (many) runs without.
        if (runBudget is not null)
        {
            yield return (GuardrailKeys.RunBudget(run.RunId), runBudget);
        }

        if (Limit(sql, GuardrailKeys.GraphLimit(tenantId, run.GraphId)) is { } graphLimit)
        {
            yield return (GuardrailKeys.GraphBudget(tenantId, run.GraphId), graphLimit);
        }

        if (Limit(sql, GuardrailKeys.TenantLimit(tenantId)) is { } tenantLimit)
        {
            yield return (GuardrailKeys.TenantBudget(tenantId, now), tenantLimit);
        }
    }

    private BudgetLimit? Limit(EngineSql sql, string key) => TryGet<BudgetLimit>(sql, key);

    private BudgetState Budget(EngineSql sql, string key, BudgetLimit? limit) =>
        Get(sql, key, () => BudgetState.For(key, limit ?? BudgetLimit.Unlimited));

    /// <param name="cause">The tenant and run whose call this reports: a breaker it opens is audited in that tenant's chain.</param>
    private BreakerDecision Breaker(EngineSql sql, string providerKey, BreakerOperation operation, DateTimeOffset now, (string TenantId, string RunId)? cause = null)
    {
        var key = GuardrailKeys.Breaker(providerKey);
        var before = Get(sql, key, () => CircuitBreakerState.Closed);
        var (after, decision) = CircuitBreakerTransitions.Apply(before, operation, now, options.Breaker);
        if (cause is { } c && after.Status == BreakerStatus.Open && before.Status != BreakerStatus.Open)
        {
            EngineAudit.BreakerOpened(sql, c.TenantId, c.RunId, providerKey, after, now);
        }

        // Successful calls only move the sampling window; keeping that in memory spares a write per step.
        // Status and failure counts always reach the store, so an open breaker survives a restart.
        if (after.Status != before.Status || after.ConsecutiveFailures != before.ConsecutiveFailures || after.WindowFailures != before.WindowFailures)
        {
            Put(sql, key, GuardrailKeys.BreakerKind, null, after, now);
        }
        else
        {
            _cache[key] = after;
        }

        return decision;
    }

    private T Get<T>(EngineSql sql, string key, Func<T> create) => TryGet<T>(sql, key) ?? create();

    private T? TryGet<T>(EngineSql sql, string key)
    {
        if (_cache.TryGetValue(key, out var cached))
        {
            return ReferenceEquals(cached, Missing) ? default : (T)cached;
        }

        if (sql.LoadGuardrail(key) is not { } json)
        {
            // Most keys (a run without a budget, a tenant without a cap) never exist: remember that, so a hop does
            // not ask the store again. Only this writer creates keys, and Put replaces the marker when it does.
            _cache[key] = Missing;
            return default;
        }

        var value = WardenJson.Deserialize<T>(json);
        _cache[key] = value!;
        return value;
    }

    private void Put<T>(EngineSql sql, string key, string kind, string? tenantId, T value, DateTimeOffset now)
    {
        _cache[key] = value!;
        sql.SaveGuardrail(key, kind, tenantId, WardenJson.Serialize(value), now.ToString("O"));
    }
}
