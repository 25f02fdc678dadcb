using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Guardrails.Budget;
using Warden.Core.Guardrails.CircuitBreaker;
using Warden.Core.Guardrails.RateLimit;
using Warden.Core.Runs;
using Warden.Runtime.Guardrails;

namespace Warden.Functions.Guardrails;

/// <summary>
/// The orchestration's side of the guardrails: answers <see cref="AskGuardrails"/> by calling the entities, in the
/// order the embedded engine's GuardrailService asks its rows and worded by the same <see cref="AdmissionRules"/>,
/// and reports outcomes by signal. Orchestrator code: deterministic, time passed in.
/// </summary>
/// <param name="runHasBudget">The graph caps each run, so a run budget entity takes part.</param>
internal sealed class EntityGuardrails(TaskOrchestrationContext context, AdmissionPolicy policy, bool runHasBudget)
{
    private readonly PriceTable _prices = policy.PriceTable();

    /// <summary>Caps the run's own budget before its first step asks (signals to one entity arrive in order).</summary>
    public Task LimitRunAsync(string runId, BudgetLimit limit) =>
        context.Entities.SignalEntityAsync(GuardrailEntityIds.Budget(GuardrailKeys.RunBudget(runId)), nameof(BudgetEntity.SetLimit), limit);

    public async Task<GuardrailAnswered> AnswerAsync(RunState run, AskGuardrails ask, DateTimeOffset now)
    {
        var ordered = AdmissionRules.Order(policy.Expand(ask.Candidates), policy.Strategy, _prices, run.RunId, ask.NodeId, ask.Visit);
        var check = new BreakerRequest(now, policy.Breaker);
        var breakers = await Task.WhenAll(ordered.Select(c =>
            context.Entities.CallEntityAsync<BreakerDecision>(GuardrailEntityIds.Breaker(c.Key), nameof(CircuitBreakerEntity.Check), check)));
        var allowed = ordered.Where((_, i) => breakers[i].Allowed).ToList();
        if (allowed.Count == 0)
        {
            return AdmissionRules.BreakersOpen(ask, ordered, breakers.Min(b => b.RetryAfter));
        }

        if (policy.LlmCallsPerMinute > 0)
        {
            var rate = await context.Entities.CallEntityAsync<RateLimitDecision>(
                GuardrailEntityIds.LlmRate(allowed[0].Key), nameof(RateLimitEntity.Acquire), new RateRequest(now, RateLimitOptions.PerMinute(policy.LlmCallsPerMinute)));
            if (!rate.Allowed)
            {
                return AdmissionRules.RateLimited(ask, allowed[0], policy.LlmCallsPerMinute, rate.RetryAfter);
            }
        }

        var reservation = AdmissionRules.Reservation(ask, run.RunId, allowed[0], _prices, policy.ExpectedOutputTokens);
        var budgets = Budgets(run, now);
        var answers = await Task.WhenAll(budgets.Select(id => context.Entities.CallEntityAsync<BudgetDecision>(id, nameof(BudgetEntity.Reserve), reservation)));
        var refused = Array.FindIndex(answers, a => !a.Admitted);
        if (refused < 0)
        {
            return AdmissionRules.Admitted(ask, allowed);
        }

        // Reserved in parallel: give back what the other budgets granted, which leaves them as the embedded engine leaves them.
        for (var i = 0; i < budgets.Count; i++)
        {
            if (answers[i].Admitted)
            {
                await context.Entities.SignalEntityAsync(budgets[i], nameof(BudgetEntity.Release), new BudgetOperation.Release(reservation.Key));
            }
        }

        return AdmissionRules.OverBudget(ask, answers[refused].Reason);
    }

    /// <summary>Settles the step's budgets with what it cost and tells each provider's breaker how its calls went.</summary>
    public async Task RecordAsync(RunState run, RecordOutcome outcome, DateTimeOffset now)
    {
        var settle = new BudgetOperation.Settle(outcome.ReservationKey, outcome.Usage.CostUsd, outcome.Usage.TotalTokens);
        foreach (var budget in Budgets(run, now))
        {
            await context.Entities.SignalEntityAsync(budget, nameof(BudgetEntity.Settle), settle);
        }

        var report = new BreakerRequest(now, policy.Breaker);
        foreach (var call in outcome.Calls.Where(AdmissionRules.TellsBreaker))
        {
            var breaker = GuardrailEntityIds.Breaker(new ProviderChoice(call.Provider, call.Model, call.Region).Key);
            await context.Entities.SignalEntityAsync(breaker, call.Succeeded ? nameof(CircuitBreakerEntity.Success) : nameof(CircuitBreakerEntity.Failure), report);
        }
    }

    /// <summary>Frees what the finished run still holds in its budgets (reservations of steps that never reported).</summary>
    public async Task ReleaseRunAsync(RunState run, DateTimeOffset now)
    {
        foreach (var budget in Budgets(run, now))
        {
            await context.Entities.SignalEntityAsync(budget, nameof(BudgetEntity.ReleaseRun), run.RunId);
        }
    }

    /// <summary>
    /// The budgets a step draws on: the run's (when the graph caps runs), the graph's and the tenant's month. Graph and
    /// tenant entities exist uncapped until an admin sets a limit, so the spend before that still counts.
    /// </summary>
    private List<EntityInstanceId> Budgets(RunState run, DateTimeOffset now)
    {
        var budgets = new List<EntityInstanceId>(3);
        if (runHasBudget)
        {
            budgets.Add(GuardrailEntityIds.Budget(GuardrailKeys.RunBudget(run.RunId)));
        }

        budgets.Add(GuardrailEntityIds.Budget(GuardrailKeys.GraphBudget(run.TenantId, run.GraphId)));
        budgets.Add(GuardrailEntityIds.Budget(GuardrailKeys.TenantBudget(run.TenantId, now)));
        return budgets;
    }
}
