using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Warden.Runtime.Storage;

/// <summary>
/// Graphs and their immutable versions over plain SQL that SQLite and PostgreSQL both speak; the backends differ
/// only in how they open a connection and how concurrent uploads of one graph are serialized.
/// </summary>
public abstract class DapperGraphStore(TimeProvider clock) : IGraphStore
{
    private const string VersionColumns = "graph_id, version, content_hash, format, source, created_at";

    public async Task<(GraphVersionRecord Version, bool Created)> SaveVersionAsync(string tenantId, string graphId, string? description, string source, string format, CancellationToken ct = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)));
        await using var connection = await OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await LockGraphAsync(connection, tx, tenantId, graphId);
        var latest = await connection.QuerySingleOrDefaultAsync<GraphVersionRecord>(
            $"SELECT {VersionColumns} FROM graph_versions WHERE tenant_id = @tenantId AND graph_id = @graphId ORDER BY version DESC LIMIT 1",
            new { tenantId, graphId },
            tx);
        if (latest is not null && latest.ContentHash == hash)
        {
            return (latest, false);
        }

        var now = clock.GetUtcNow().ToString("O");
        var record = new GraphVersionRecord
        {
            GraphId = graphId,
            Version = (latest?.Version ?? 0) + 1,
            ContentHash = hash,
            Format = format,
            Source = source,
            CreatedAt = now,
        };
        await connection.ExecuteAsync(
            "INSERT INTO graph_versions (tenant_id, graph_id, version, content_hash, format, source, created_at) VALUES (@tenantId, @GraphId, @Version, @ContentHash, @Format, @Source, @CreatedAt)",
            new { tenantId, record.GraphId, record.Version, record.ContentHash, record.Format, record.Source, record.CreatedAt },
            tx);
        await connection.ExecuteAsync(
            """
            INSERT INTO graphs (tenant_id, id, description, latest_version, created_at, updated_at)
            VALUES (@tenantId, @graphId, @description, @version, @now, @now)
            ON CONFLICT (tenant_id, id) DO UPDATE SET description = excluded.description, latest_version = excluded.latest_version, updated_at = excluded.updated_at
            """,
            new { tenantId, graphId, description, version = record.Version, now },
            tx);
        await tx.CommitAsync(ct);
        return (record, true);
    }

    public async Task<IReadOnlyList<GraphRecord>> ListAsync(string tenantId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return (await connection.QueryAsync<GraphRecord>(
            "SELECT id, description, latest_version, created_at, updated_at FROM graphs WHERE tenant_id = @tenantId ORDER BY id",
            new { tenantId })).AsList();
    }

    public async Task<GraphRecord?> GetAsync(string tenantId, string graphId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<GraphRecord>(
            "SELECT id, description, latest_version, created_at, updated_at FROM graphs WHERE tenant_id = @tenantId AND id = @graphId",
            new { tenantId, graphId });
    }

    public async Task<GraphVersionRecord?> GetVersionAsync(string tenantId, string graphId, long? version, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return version is null
            ? await connection.QuerySingleOrDefaultAsync<GraphVersionRecord>(
                $"SELECT {VersionColumns} FROM graph_versions WHERE tenant_id = @tenantId AND graph_id = @graphId ORDER BY version DESC LIMIT 1",
                new { tenantId, graphId })
            : await connection.QuerySingleOrDefaultAsync<GraphVersionRecord>(
                $"SELECT {VersionColumns} FROM graph_versions WHERE tenant_id = @tenantId AND graph_id = @graphId AND version = @version",
                new { tenantId, graphId, version = version.Value });
    }

    public async Task<IReadOnlyList<GraphVersionRecord>> ListVersionsAsync(string tenantId, string graphId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return (await connection.QueryAsync<GraphVersionRecord>(
            $"SELECT {VersionColumns} FROM graph_versions WHERE tenant_id = @tenantId AND graph_id = @graphId ORDER BY version",
            new { tenantId, graphId })).AsList();
    }

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>Makes "read the latest version, write the next" one step for concurrent uploads of a graph.</summary>
    protected abstract Task LockGraphAsync(DbConnection connection, DbTransaction tx, string tenantId, string graphId);
}
