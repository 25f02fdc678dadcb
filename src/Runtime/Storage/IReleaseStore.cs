using Warden.Core.Releases;

namespace Warden.Runtime.Storage;

/// <summary>
/// A graph's snapshots (immutable, identified by their content) and its channels' release history, per tenant. Lives
/// in the shared store beside graphs: every instance resolves the same active release.
/// </summary>
public interface IReleaseStore
{
    /// <summary>Stores a snapshot unless one with the same id exists; returns the stored one and whether it is new.</summary>
    Task<(SnapshotRecord Snapshot, bool Created)> SaveSnapshotAsync(string tenantId, SnapshotRecord snapshot, CancellationToken ct = default);

    Task<SnapshotRecord?> GetSnapshotAsync(string tenantId, string graphId, string snapshotId, CancellationToken ct = default);

    /// <summary>Oldest first.</summary>
    Task<IReadOnlyList<SnapshotRecord>> ListSnapshotsAsync(string tenantId, string graphId, CancellationToken ct = default);

    /// <summary>The graph's release history, newest first.</summary>
    Task<IReadOnlyList<ReleaseEntry>> ListReleasesAsync(string tenantId, string graphId, CancellationToken ct = default);

    /// <summary>
    /// Appends the entry <paramref name="decide"/> makes of the history as read, atomically: should another writer
    /// append in between, the history is read again and <paramref name="decide"/> asked again. Null from it appends nothing.
    /// </summary>
    Task<ReleaseEntry?> AppendReleaseAsync(string tenantId, string graphId, Func<IReadOnlyList<ReleaseEntry>, ReleaseEntry?> decide, CancellationToken ct = default);

    Task<ShadowConfig?> GetShadowAsync(string tenantId, string graphId, CancellationToken ct = default);

    /// <summary>Sets the graph's shadow setting; null switches shadowing off.</summary>
    Task SetShadowAsync(string tenantId, string graphId, ShadowConfig? config, string updatedAt, CancellationToken ct = default);

    Task AddShadowPairAsync(string tenantId, ShadowPairRecord pair, CancellationToken ct = default);

    /// <summary>The graph's pairs, newest first.</summary>
    Task<IReadOnlyList<ShadowPairRecord>> ListShadowPairsAsync(string tenantId, string graphId, int limit, CancellationToken ct = default);

    /// <summary>Pairs of the tenant not scored yet, oldest first.</summary>
    Task<IReadOnlyList<ShadowPairRecord>> ListUnscoredPairsAsync(string tenantId, int limit, CancellationToken ct = default);

    /// <summary>Records a pair's score once; a pair scored already keeps its first score (false).</summary>
    Task<bool> ScorePairAsync(string tenantId, ShadowPairRecord pair, ShadowScore score, string scoredAt, CancellationToken ct = default);

    /// <summary>Records a release guard's verdict on a snapshot, replacing the snapshot's earlier one: the latest verdict is what counts.</summary>
    Task SaveGuardResultAsync(string tenantId, GuardResultRecord result, CancellationToken ct = default);

    /// <summary>The latest guard verdict of each of the graph's snapshots that has one, newest first.</summary>
    Task<IReadOnlyList<GuardResultRecord>> ListGuardResultsAsync(string tenantId, string graphId, CancellationToken ct = default);
}

public sealed class ShadowPairRecord
{
    public required string GraphId { get; init; }

    public required string PrimaryRunId { get; init; }

    public required string ShadowRunId { get; init; }

    public string? PrimarySnapshotId { get; init; }

    public required string ShadowSnapshotId { get; init; }

    public required double Threshold { get; init; }

    public required string CreatedAt { get; init; }

    public double? Score { get; init; }

    public double? OutputSimilarity { get; init; }

    public double? TrajectorySimilarity { get; init; }

    public bool? Flagged { get; init; }

    public string? ScoredAt { get; init; }
}

/// <summary>The latest release guard verdict on one snapshot: where it was evaluated, by whom, and the per-objective result.</summary>
public sealed class GuardResultRecord
{
    public required string GraphId { get; init; }

    public required string SnapshotId { get; init; }

    public required long GraphVersion { get; init; }

    public required string Environment { get; init; }

    public required bool Passed { get; init; }

    /// <summary>The guard's answer as the API returns it (JSON).</summary>
    public required string Result { get; init; }

    public required string Actor { get; init; }

    public required string At { get; init; }
}

public sealed class SnapshotRecord
{
    public required string Id { get; init; }

    public required string GraphId { get; init; }

    public required long GraphVersion { get; init; }

    public required string ContentHash { get; init; }

    /// <summary>The <see cref="SnapshotContent"/> as JSON.</summary>
    public required string Content { get; init; }

    public required string CreatedBy { get; init; }

    public required string CreatedAt { get; init; }
}
