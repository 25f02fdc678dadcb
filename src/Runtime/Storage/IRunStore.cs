namespace Warden.Runtime.Storage;

/// <summary>Read side of runs: status, timeline and approvals. Writes go through the engine.</summary>
public interface IRunStore
{
    Task<RunRecord?> GetAsync(string tenantId, string runId, CancellationToken ct = default);

    Task<Page<RunRecord>> ListAsync(string tenantId, RunQuery query, CancellationToken ct = default);

    Task<IReadOnlyList<RunEventRecord>> ListEventsAsync(string tenantId, string runId, long afterSeq, int limit, CancellationToken ct = default);

    /// <summary>The tenant's timeline across all runs, in commit order, after a (at, run, seq) position.</summary>
    Task<IReadOnlyList<RunEventRecord>> ListTenantEventsAsync(string tenantId, TimelinePosition after, int limit, CancellationToken ct = default);

    Task<IReadOnlyList<ApprovalRecord>> ListApprovalsAsync(string tenantId, string? runId, string? status, CancellationToken ct = default);

    Task<ApprovalRecord?> GetApprovalAsync(string tenantId, string approvalId, CancellationToken ct = default);
}

/// <summary>A place in a tenant's merged timeline; the stream's Last-Event-ID.</summary>
public sealed record TimelinePosition(string At, string RunId, long Seq)
{
    public static TimelinePosition Start { get; } = new(string.Empty, string.Empty, 0);

    public string Encode() => $"{At}|{RunId}|{Seq}";

    public static TimelinePosition? Decode(string? text)
    {
        var parts = text?.Split('|');
        return parts is { Length: 3 } && long.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq)
            ? new TimelinePosition(parts[0], parts[1], seq)
            : null;
    }
}
