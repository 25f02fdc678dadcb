using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Entities;
using Warden.Core.Guardrails.Budget;
using Warden.Runtime.Guardrails;

namespace Warden.Functions.Guardrails;

/// <summary>One budget (a run, a graph, a tenant's month): <see cref="BudgetLedger"/> over the entity's state. Key: its budget key.</summary>
public sealed class BudgetEntity : TaskEntity<BudgetState>
{
    public BudgetDecision Reserve(BudgetOperation.Reserve reservation) => Apply(reservation);

    public BudgetDecision Settle(BudgetOperation.Settle settlement) => Apply(settlement);

    public BudgetDecision Release(BudgetOperation.Release release) => Apply(release);

    /// <summary>Frees what a finished run still holds here.</summary>
    public void ReleaseRun(string runId) => State = AdmissionRules.ReleaseRun(State, runId);

    public BudgetState SetLimit(BudgetLimit limit)
    {
        Apply(new BudgetOperation.SetLimit(limit));
        return State;
    }

    [Function(nameof(BudgetEntity))]
    public static Task DispatchAsync([EntityTrigger] TaskEntityDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        return dispatcher.DispatchAsync<BudgetEntity>();
    }

    /// <summary>A budget nobody has capped yet still counts what is spent, so a cap set later sees it.</summary>
    protected override BudgetState InitializeState(TaskEntityOperation entityOperation)
    {
        ArgumentNullException.ThrowIfNull(entityOperation);
        return BudgetState.For(entityOperation.Context.Id.Key, BudgetLimit.Unlimited);
    }

    private BudgetDecision Apply(BudgetOperation operation)
    {
        (State, var decision) = BudgetLedger.Apply(State, operation);
        return decision;
    }
}
