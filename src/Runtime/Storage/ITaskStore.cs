using Warden.Core.Oversight.Tasks;

namespace Warden.Runtime.Storage;

/// <summary>Read side of oversight tasks; changes go through the engine (<see cref="Engine.ITaskEngine"/>).</summary>
public interface ITaskStore
{
    Task<IReadOnlyList<OversightTaskState>> ListAsync(string tenantId, string? status, CancellationToken ct = default);

    Task<OversightTaskState?> GetAsync(string tenantId, string taskId, CancellationToken ct = default);
}
