using Warden.Core.Oversight.Tasks;

namespace Warden.Runtime.Engine;

/// <summary>Oversight tasks, changed in order with everything else the engine decides (their ack timers are durable).</summary>
public interface ITaskEngine
{
    Task<OversightTaskState> CreateTaskAsync(string tenantId, string title, string? assignee, string? runId, string actor, CancellationToken ct = default);

    /// <exception cref="NotFoundException">No such task for the tenant.</exception>
    /// <exception cref="InvalidTaskTransitionException">The task's status does not allow the event.</exception>
    Task<OversightTaskState> ApplyTaskAsync(string tenantId, string taskId, TaskEvent evt, CancellationToken ct = default);
}
