using System.Data.Common;
using System.Globalization;
using Dapper;
using Warden.Core.Releases;

namespace Warden.Runtime.Storage;

/// <summary>
/// Snapshots and release history over plain SQL that SQLite and PostgreSQL both speak. A release is appended inside a
/// transaction that holds the graph's release lock, so the history it was decided on is the history it extends.
/// </summary>
public abstract class DapperReleaseStore : IReleaseStore
{
    private const string SnapshotColumns = "id, graph_id, graph_version, content_hash, content, created_by, created_at";

    public async Task<(SnapshotRecord Snapshot, bool Created)> SaveSnapshotAsync(string tenantId, SnapshotRecord snapshot, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await using var connection = await OpenAsync(ct);
        var inserted = await connection.ExecuteAsync(
            """
            INSERT INTO graph_snapshots (tenant_id, graph_id, id, graph_version, content_hash, content, created_by, created_at)
            VALUES (@tenantId, @GraphId, @Id, @GraphVersion, @ContentHash, @Content, @CreatedBy, @CreatedAt)
            ON CONFLICT (tenant_id, graph_id, id) DO NOTHING
            """,
            new { tenantId, snapshot.GraphId, snapshot.Id, snapshot.GraphVersion, snapshot.ContentHash, snapshot.Content, snapshot.CreatedBy, snapshot.CreatedAt });
        return inserted == 1 ? (snapshot, true) : ((await GetSnapshotAsync(tenantId, snapshot.GraphId, snapshot.Id, ct))!, false);
    }

    public async Task<SnapshotRecord?> GetSnapshotAsync(string tenantId, string graphId, string snapshotId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<SnapshotRecord>(
            $"SELECT {SnapshotColumns} FROM graph_snapshots WHERE tenant_id = @tenantId AND graph_id = @graphId AND id = @snapshotId",
            new { tenantId, graphId, snapshotId });
    }

    public async Task<IReadOnlyList<SnapshotRecord>> ListSnapshotsAsync(string tenantId, string graphId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return (await connection.QueryAsync<SnapshotRecord>(
            $"SELECT {SnapshotColumns} FROM graph_snapshots WHERE tenant_id = @tenantId AND graph_id = @graphId ORDER BY created_at, id",
            new { tenantId, graphId })).AsList();
    }

    public async Task<IReadOnlyList<ReleaseEntry>> ListReleasesAsync(string tenantId, string graphId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await ReadHistoryAsync(connection, null, tenantId, graphId);
    }

    public async Task<ReleaseEntry?> AppendReleaseAsync(string tenantId, string graphId, Func<IReadOnlyList<ReleaseEntry>, ReleaseEntry?> decide, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(decide);
        await using var connection = await OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await LockReleasesAsync(connection, tx, tenantId, graphId);
        var history = await ReadHistoryAsync(connection, tx, tenantId, graphId);
        if (decide(history) is not { } entry)
        {
            return null;
        }

        entry = entry with { Seq = (history.Count > 0 ? history[0].Seq : 0) + 1 };
        await connection.ExecuteAsync(
            """
            INSERT INTO graph_releases (tenant_id, graph_id, seq, channel, snapshot_id, kind, previous, actor, reason, at)
            VALUES (@tenantId, @graphId, @Seq, @Channel, @SnapshotId, @Kind, @Previous, @Actor, @Reason, @at)
            """,
            new { tenantId, graphId, entry.Seq, entry.Channel, entry.SnapshotId, entry.Kind, entry.Previous, entry.Actor, entry.Reason, at = entry.At.ToString("O", CultureInfo.InvariantCulture) },
            tx);
        await tx.CommitAsync(ct);
        return entry;
    }

    public async Task<ShadowConfig?> GetShadowAsync(string tenantId, string graphId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(string Candidate, double Percent, double Threshold)?>(
            "SELECT candidate_snapshot_id, percent, threshold FROM graph_shadows WHERE tenant_id = @tenantId AND graph_id = @graphId",
            new { tenantId, graphId });
        return row is { } r ? new ShadowConfig(r.Candidate, r.Percent, r.Threshold) : null;
    }

    public async Task SetShadowAsync(string tenantId, string graphId, ShadowConfig? config, string updatedAt, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        if (config is null)
        {
            await connection.ExecuteAsync("DELETE FROM graph_shadows WHERE tenant_id = @tenantId AND graph_id = @graphId", new { tenantId, graphId });
            return;
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO graph_shadows (tenant_id, graph_id, candidate_snapshot_id, percent, threshold, updated_at)
            VALUES (@tenantId, @graphId, @CandidateSnapshotId, @Percent, @Threshold, @updatedAt)
            ON CONFLICT (tenant_id, graph_id) DO UPDATE SET candidate_snapshot_id = excluded.candidate_snapshot_id, percent = excluded.percent,
                threshold = excluded.threshold, updated_at = excluded.updated_at
            """,
            new { tenantId, graphId, config.CandidateSnapshotId, config.Percent, config.Threshold, updatedAt });
    }

    public async Task AddShadowPairAsync(string tenantId, ShadowPairRecord pair, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pair);
        await using var connection = await OpenAsync(ct);
        await connection.ExecuteAsync(
            """
            INSERT INTO shadow_pairs (tenant_id, primary_run_id, graph_id, shadow_run_id, primary_snapshot_id, shadow_snapshot_id, threshold, created_at)
            VALUES (@tenantId, @PrimaryRunId, @GraphId, @ShadowRunId, @PrimarySnapshotId, @ShadowSnapshotId, @Threshold, @CreatedAt)
            ON CONFLICT (tenant_id, primary_run_id) DO NOTHING
            """,
            new { tenantId, pair.PrimaryRunId, pair.GraphId, pair.ShadowRunId, pair.PrimarySnapshotId, pair.ShadowSnapshotId, pair.Threshold, pair.CreatedAt });
    }

    public async Task<IReadOnlyList<ShadowPairRecord>> ListShadowPairsAsync(string tenantId, string graphId, int limit, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return (await connection.QueryAsync<PairRow>(
            $"SELECT {PairColumns} FROM shadow_pairs WHERE tenant_id = @tenantId AND graph_id = @graphId ORDER BY created_at DESC, primary_run_id DESC LIMIT @limit",
            new { tenantId, graphId, limit })).Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<ShadowPairRecord>> ListUnscoredPairsAsync(string tenantId, int limit, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return (await connection.QueryAsync<PairRow>(
            $"SELECT {PairColumns} FROM shadow_pairs WHERE tenant_id = @tenantId AND scored_at IS NULL ORDER BY created_at, primary_run_id LIMIT @limit",
            new { tenantId, limit })).Select(r => r.ToRecord()).ToList();
    }

    public async Task<bool> ScorePairAsync(string tenantId, ShadowPairRecord pair, ShadowScore score, string scoredAt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(score);
        await using var connection = await OpenAsync(ct);
        return await connection.ExecuteAsync(
            """
            UPDATE shadow_pairs SET score = @Score, output_similarity = @OutputSimilarity, trajectory_similarity = @TrajectorySimilarity,
                flagged = @flagged, scored_at = @scoredAt
            WHERE tenant_id = @tenantId AND primary_run_id = @PrimaryRunId AND scored_at IS NULL
            """,
            new { tenantId, pair.PrimaryRunId, score.Score, score.OutputSimilarity, score.TrajectorySimilarity, flagged = score.Flagged ? 1 : 0, scoredAt }) == 1;
    }

    public async Task SaveGuardResultAsync(string tenantId, GuardResultRecord result, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        await using var connection = await OpenAsync(ct);
        await connection.ExecuteAsync(
            """
            INSERT INTO graph_guard_results (tenant_id, graph_id, snapshot_id, graph_version, environment, passed, result, actor, at)
            VALUES (@tenantId, @GraphId, @SnapshotId, @GraphVersion, @Environment, @Passed, @Result, @Actor, @At)
            ON CONFLICT (tenant_id, graph_id, snapshot_id) DO UPDATE SET graph_version = excluded.graph_version, environment = excluded.environment,
                passed = excluded.passed, result = excluded.result, actor = excluded.actor, at = excluded.at
            """,
            new { tenantId, result.GraphId, result.SnapshotId, result.GraphVersion, result.Environment, result.Passed, result.Result, result.Actor, result.At });
    }

    public async Task<IReadOnlyList<GuardResultRecord>> ListGuardResultsAsync(string tenantId, string graphId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return (await connection.QueryAsync<GuardResultRecord>(
            """
            SELECT graph_id, snapshot_id, graph_version, environment, passed, result, actor, at FROM graph_guard_results
            WHERE tenant_id = @tenantId AND graph_id = @graphId ORDER BY at DESC, snapshot_id
            """,
            new { tenantId, graphId })).AsList();
    }

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>Makes "read the history, append the next entry" one step for concurrent releases of a graph.</summary>
    protected abstract Task LockReleasesAsync(DbConnection connection, DbTransaction tx, string tenantId, string graphId);

    private static async Task<IReadOnlyList<ReleaseEntry>> ReadHistoryAsync(DbConnection connection, DbTransaction? tx, string tenantId, string graphId)
    {
        var rows = await connection.QueryAsync<ReleaseRow>(
            "SELECT seq, channel, snapshot_id, kind, previous, actor, reason, at FROM graph_releases WHERE tenant_id = @tenantId AND graph_id = @graphId ORDER BY seq DESC",
            new { tenantId, graphId },
            tx);
        return rows.Select(r => new ReleaseEntry(r.Seq, r.Channel, r.SnapshotId, r.Kind, r.Previous, r.Actor, r.Reason, DateTimeOffset.Parse(r.At, CultureInfo.InvariantCulture))).ToList();
    }

    private const string PairColumns = "graph_id, primary_run_id, shadow_run_id, primary_snapshot_id, shadow_snapshot_id, threshold, created_at, score, output_similarity, trajectory_similarity, flagged, scored_at";

    private sealed class PairRow
    {
        public required string GraphId { get; init; }

        public required string PrimaryRunId { get; init; }

        public required string ShadowRunId { get; init; }

        public string? PrimarySnapshotId { get; init; }

        public required string ShadowSnapshotId { get; init; }

        public double Threshold { get; init; }

        public required string CreatedAt { get; init; }

        public double? Score { get; init; }

        public double? OutputSimilarity { get; init; }

        public double? TrajectorySimilarity { get; init; }

        public long? Flagged { get; init; }

        public string? ScoredAt { get; init; }

        public ShadowPairRecord ToRecord() => new()
        {
            GraphId = GraphId,
            PrimaryRunId = PrimaryRunId,
            ShadowRunId = ShadowRunId,
            PrimarySnapshotId = PrimarySnapshotId,
            ShadowSnapshotId = ShadowSnapshotId,
            Threshold = Threshold,
            CreatedAt = CreatedAt,
            Score = Score,
            OutputSimilarity = OutputSimilarity,
            TrajectorySimilarity = TrajectorySimilarity,
            Flagged = Flagged is { } f ? f != 0 : null,
            ScoredAt = ScoredAt,
        };
    }

    private sealed class ReleaseRow
    {
        public long Seq { get; init; }

        public required string Channel { get; init; }

        public required string SnapshotId { get; init; }

        public required string Kind { get; init; }

        public string? Previous { get; init; }

        public required string Actor { get; init; }

        public string? Reason { get; init; }

        public required string At { get; init; }
    }
}
