using System.Collections.Concurrent;
using System.Text.Json;
using Warden.Core.Graphs;
using Warden.Core.Releases;
using Warden.Core.Serialization;
using Warden.Runtime.Engine;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Releases;

/// <summary>What a run start resolved to: the graph version to run and the snapshot that froze it.</summary>
public sealed record ResolvedRelease(long Version, string SnapshotId, string? Channel);

/// <summary>A refused release or rollback (409): nothing moved.</summary>
public sealed class ReleaseRefusedException(string message) : Exception(message);

/// <summary>
/// Snapshots, channels and rollback over <see cref="IReleaseStore"/>, shared by both hosts. A snapshot freezes a graph
/// version together with the catalogue tools and agents it names; the same content is the same snapshot. A run without
/// a version runs the graph's <c>active</c> release (the latest version until the first release).
/// </summary>
public sealed class ReleaseService(IReleaseStore releases, IGraphStore graphs, ICatalogStore catalog, TimeProvider clock)
{
    /// <summary>
    /// Snapshots known to be stored, by tenant, graph and id. A snapshot is immutable and named by its content, so once
    /// stored it stays as it is: a run start of an unchanged version skips the store's write.
    /// </summary>
    private readonly ConcurrentDictionary<(string Tenant, string Graph, string Id), SnapshotRecord> _stored = new();

    /// <summary>The snapshot of a graph version as the catalogue is now (stored unless it exists).</summary>
    /// <exception cref="NotFoundException">No such graph or version for the tenant.</exception>
    public async Task<(SnapshotRecord Snapshot, bool Created)> SnapshotAsync(string tenantId, string graphId, long? version, string actor, CancellationToken ct)
    {
        var graphVersion = await graphs.GetVersionAsync(tenantId, graphId, version, ct)
            ?? throw new NotFoundException(version is null ? $"graph '{graphId}' not found" : $"graph '{graphId}' has no version {version}");
        var graph = GraphParser.Parse(graphVersion.Source);
        var tools = new List<FrozenTool>();
        foreach (var name in graph.Nodes.Select(n => n.Tool).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (await catalog.GetToolAsync(tenantId, name, ct) is { } tool)
            {
                tools.Add(new FrozenTool(tool.Name, tool.ActionClass, tool.Endpoint, tool.InputSchema, tool.Description));
            }
        }

        var content = new SnapshotContent(graphId, graphVersion.Version, graphVersion.ContentHash, tools, []);
        var id = content.Id();
        if (_stored.TryGetValue((tenantId, graphId, id), out var known))
        {
            return (known, false);
        }

        var saved = await releases.SaveSnapshotAsync(
            tenantId,
            new SnapshotRecord
            {
                Id = id,
                GraphId = graphId,
                GraphVersion = graphVersion.Version,
                ContentHash = content.Hash(),
                Content = JsonSerializer.Serialize(content, WardenJson.Options),
                CreatedBy = actor,
                CreatedAt = clock.GetUtcNow().ToString("O"),
            },
            ct);
        _stored[(tenantId, graphId, id)] = saved.Snapshot;
        return saved;
    }

    /// <summary>
    /// What a run start runs: the named version; else the named channel's snapshot; else the active release, or the
    /// latest version while the graph has none. The snapshot is taken now when the version has none for this catalogue.
    /// </summary>
    public async Task<ResolvedRelease> ResolveAsync(string tenantId, string graphId, long? version, string? channel, string actor, CancellationToken ct)
    {
        if (version is null)
        {
            var history = await releases.ListReleasesAsync(tenantId, graphId, ct);
            if (ReleaseHistory.Current(history, channel ?? ReleaseHistory.Active) is { } snapshotId
                && await releases.GetSnapshotAsync(tenantId, graphId, snapshotId, ct) is { } released)
            {
                return new ResolvedRelease(released.GraphVersion, released.Id, channel ?? ReleaseHistory.Active);
            }

            if (channel is ReleaseHistory.Candidate)
            {
                throw new NotFoundException($"graph '{graphId}' has no candidate release");
            }
        }

        var (snapshot, _) = await SnapshotAsync(tenantId, graphId, version, actor, ct);
        return new ResolvedRelease(snapshot.GraphVersion, snapshot.Id, null);
    }

    /// <summary>Points a channel at a snapshot (given, or taken now of a version). Null when it already pointed there.</summary>
    public async Task<(ReleaseEntry? Entry, SnapshotRecord Snapshot)> ReleaseAsync(string tenantId, string graphId, string? snapshotId, long? version, string channel, string actor, string? reason, CancellationToken ct)
    {
        var snapshot = snapshotId is not null
            ? await releases.GetSnapshotAsync(tenantId, graphId, snapshotId, ct) ?? throw new NotFoundException($"graph '{graphId}' has no snapshot '{snapshotId}'")
            : (await SnapshotAsync(tenantId, graphId, version, actor, ct)).Snapshot;
        var now = clock.GetUtcNow();
        var entry = await releases.AppendReleaseAsync(
            tenantId,
            graphId,
            history => ReleaseHistory.Release(history, channel, snapshot.Id) is { } move
                ? new ReleaseEntry(0, channel, move.SnapshotId, move.Kind, move.Previous, actor, reason, now)
                : null,
            ct);
        return (entry, snapshot);
    }

    /// <summary>Moves <c>active</c> back to the snapshot the current release replaced, or to <paramref name="to"/>.</summary>
    /// <exception cref="ReleaseRefusedException">Nothing to roll back to.</exception>
    public async Task<ReleaseEntry> RollbackAsync(string tenantId, string graphId, string? to, string actor, string? reason, CancellationToken ct)
    {
        if (to is not null && await releases.GetSnapshotAsync(tenantId, graphId, to, ct) is null)
        {
            throw new NotFoundException($"graph '{graphId}' has no snapshot '{to}'");
        }

        string? refusal = null;
        var now = clock.GetUtcNow();
        var entry = await releases.AppendReleaseAsync(
            tenantId,
            graphId,
            history =>
            {
                var (move, why) = ReleaseHistory.RollBack(history, to);
                refusal = why;
                return move is null ? null : new ReleaseEntry(0, ReleaseHistory.Active, move.SnapshotId, move.Kind, move.Previous, actor, reason, now);
            },
            ct);
        return entry ?? throw new ReleaseRefusedException(refusal ?? "nothing to roll back");
    }
}
