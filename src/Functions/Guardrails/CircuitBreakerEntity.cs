using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Entities;
using Warden.Core.Guardrails.CircuitBreaker;

namespace Warden.Functions.Guardrails;

/// <summary>One provider's (and region's) circuit breaker: <see cref="CircuitBreakerTransitions"/> over the entity's state.</summary>
public sealed class CircuitBreakerEntity : TaskEntity<CircuitBreakerState>
{
    public BreakerDecision Check(BreakerRequest request) => Apply(BreakerOperation.Check, request);

    public BreakerDecision Success(BreakerRequest request) => Apply(BreakerOperation.Success, request);

    public BreakerDecision Failure(BreakerRequest request) => Apply(BreakerOperation.Failure, request);

    public BreakerDecision Reset(BreakerRequest request) => Apply(BreakerOperation.Reset, request);

    [Function(nameof(CircuitBreakerEntity))]
    public static Task DispatchAsync([EntityTrigger] TaskEntityDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        return dispatcher.DispatchAsync<CircuitBreakerEntity>();
    }

    protected override CircuitBreakerState InitializeState(TaskEntityOperation entityOperation) => CircuitBreakerState.Closed;

    private BreakerDecision Apply(BreakerOperation operation, BreakerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        (State, var decision) = CircuitBreakerTransitions.Apply(State, operation, request.Now, request.Options);
        return decision;
    }
}
