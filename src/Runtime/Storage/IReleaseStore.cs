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
