namespace Warden.Runtime.Storage;

/// <summary>Read side of runs: status, timeline and approvals. Writes go through the engine.</summary>
public interface IRunStore
{
    Task<RunRecord?> GetAsync(string tenantId, string runId, CancellationToken ct = default);

    Task<Page<RunRecord>> ListAsync(string tenantId, RunQuery query, CancellationToken ct = default);

    Task<IReadOnlyList<RunEventRecord>> ListEventsAsync(string tenantId, string runId, long afterSeq, int limit, CancellationToken ct = default);

    Task<IReadOnlyList<ApprovalRecord>> ListApprovalsAsync(string tenantId, string? runId, string? status, CancellationToken ct = default);

    Task<ApprovalRecord?> GetApprovalAsync(string tenantId, string approvalId, CancellationToken ct = default);
}
