using Microsoft.Azure.Functions.Worker;
using Warden.Runtime.Engine;
using Warden.Runtime.Storage;

namespace Warden.Functions.Runs;

/// <summary>
/// Writes one decision to the store (run state, timeline, approvals) so the API reads what the orchestration decided,
/// and appends its governance decisions to the tenant's audit chain. Both writes are idempotent: activities run at least once.
/// </summary>
public sealed class AppendTimelineActivity(IRunProjection projection, DecisionAudit audit)
{
    [Function(nameof(AppendTimelineActivity))]
    public Task RunAsync([ActivityTrigger] RunProjectionUpdate update, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ExecuteAsync(update, context.CancellationToken);
    }

    /// <summary>The activity's work, apart from its trigger binding (a Durable worker outside Functions calls this).</summary>
    public async Task ExecuteAsync(RunProjectionUpdate update, CancellationToken ct)
    {
        await projection.ApplyAsync(update, ct);
        await audit.AppendAsync(update, ct);
    }
}
