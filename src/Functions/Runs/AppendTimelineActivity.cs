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
        return projection.ApplyAsync(update, context.CancellationToken);
    }
}
