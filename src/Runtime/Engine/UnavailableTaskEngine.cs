using Microsoft.AspNetCore.Http;
using Warden.Core.Oversight.Tasks;
using Warden.Runtime.Api;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Engine;

/// <summary>
/// For hosts without oversight tasks yet (the Functions host): every task endpoint, reads included, answers 501 with
/// the uniform error body, instead of failing the whole host at start-up or reading tasks from a local file that no
/// other instance shares and no engine on this host writes.
/// </summary>
public sealed class UnavailableTaskEngine : ITaskEngine, ITaskStore
{
    public Task<OversightTaskState> CreateTaskAsync(string tenantId, string title, string? assignee, string? runId, string actor, CancellationToken ct = default) =>
        throw Unavailable();

    public Task<OversightTaskState> ApplyTaskAsync(string tenantId, string taskId, TaskEvent evt, CancellationToken ct = default) =>
        throw Unavailable();

    public Task<IReadOnlyList<OversightTaskState>> ListAsync(string tenantId, string? status, CancellationToken ct = default) =>
        throw Unavailable();

    public Task<OversightTaskState?> GetAsync(string tenantId, string taskId, CancellationToken ct = default) =>
        throw Unavailable();

    private static ApiException Unavailable() =>
        new(StatusCodes.Status501NotImplemented, "NOT_IMPLEMENTED", "oversight tasks run on the embedded engine (warden serve); this host does not offer them yet");
}
