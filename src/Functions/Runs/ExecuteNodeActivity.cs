using Microsoft.Azure.Functions.Worker;
using Warden.Core.Runs;
using Warden.Runtime.Execution;
using Warden.Runtime.Storage;

namespace Warden.Functions.Runs;

/// <summary>One attempt of an agent step: the node executor the embedded engine's workers use.</summary>
public sealed class ExecuteNodeActivity(NodeExecutor executor, IRunProjection projection, TimeProvider clock)
{
    [Function(nameof(ExecuteNodeActivity))]
    public async Task<NodeResult> RunAsync([ActivityTrigger] NodeInvocation invocation, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(context);
        var execution = await executor.ExecuteAsync(invocation, context.CancellationToken);

        // Usage is written here, keyed by attempt, so it counts once even if the activity runs again, and even if its
        // result arrives too late for the run to use.
        var calls = execution.Event switch
        {
            NodeSucceeded ok => ok.Calls,
            NodeFailed failed => failed.Calls,
            _ => null,
        };
        await projection.RecordUsageAsync(invocation, calls ?? [], clock.GetUtcNow(), context.CancellationToken);
        return new NodeResult(execution.Event);
    }
}
