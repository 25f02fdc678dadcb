using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Entities;
using Warden.Core.Guardrails.RateLimit;

namespace Warden.Functions.Guardrails;

/// <summary>One provider's LLM call window: <see cref="SlidingWindow"/> over the entity's state.</summary>
public sealed class RateLimitEntity : TaskEntity<SlidingWindowState>
{
    public RateLimitDecision Acquire(RateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        (State, var decision) = SlidingWindow.TryAcquire(State, request.Now, request.Options);
        return decision;
    }

    [Function(nameof(RateLimitEntity))]
    public static Task DispatchAsync([EntityTrigger] TaskEntityDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        return dispatcher.DispatchAsync<RateLimitEntity>();
    }

    protected override SlidingWindowState InitializeState(TaskEntityOperation entityOperation) => SlidingWindowState.Empty;
}
