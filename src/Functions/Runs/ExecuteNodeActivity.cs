using Microsoft.Azure.Functions.Worker;
using Warden.Core.Runs;
using Warden.Runtime.Execution;
using Warden.Runtime.Providers;
using Warden.Runtime.Storage;

namespace Warden.Functions.Runs;

/// <summary>One attempt of an agent step: the node executor the embedded engine's workers use.</summary>
public sealed class ExecuteNodeActivity(NodeExecutor executor, IRunProjection projection, TimeProvider clock)
{
    [Function(nameof(ExecuteNodeActivity))]
    public Task<NodeResult> RunAsync([ActivityTrigger] NodeInvocation invocation, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ExecuteAsync(invocation, context.CancellationToken);
    }

    /// <summary>The activity's work, apart from its trigger binding (a Durable worker outside Functions calls this).</summary>
    public async Task<NodeResult> ExecuteAsync(NodeInvocation invocation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var execution = await executor.ExecuteAsync(invocation, ct);

        // Usage is written here, keyed by attempt, so it counts once even if the activity runs again, and even if its
        // result arrives too late for the run to use.
        await projection.RecordUsageAsync(invocation, ProviderCalls.Real(execution.Event), clock.GetUtcNow(), ct);
        return new NodeResult(execution.Event);
    }
}
