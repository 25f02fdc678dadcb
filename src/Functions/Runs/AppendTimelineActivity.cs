using Microsoft.Azure.Functions.Worker;
using Warden.Runtime.Storage;

namespace Warden.Functions.Runs;

/// <summary>Writes one decision to the store (run state, timeline, approvals) so the API reads what the orchestration decided.</summary>
public sealed class AppendTimelineActivity(IRunProjection projection)
{
    [Function(nameof(AppendTimelineActivity))]
    public Task RunAsync([ActivityTrigger] RunProjectionUpdate update, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ExecuteAsync(update, context.CancellationToken);
    }

    /// <summary>The activity's work, apart from its trigger binding (a Durable worker outside Functions calls this).</summary>
    public Task ExecuteAsync(RunProjectionUpdate update, CancellationToken ct) => projection.ApplyAsync(update, ct);
}
