using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;

namespace Warden.Runtime.Storage;

/// <summary>
/// Suites, their immutable versions and suite runs over plain SQL that SQLite and PostgreSQL both speak (no
/// <c>@p IS NULL</c> tests: PostgreSQL cannot type an untyped null, so optional filters are left out of the SQL
/// instead). The backends differ only in how they open a connection and serialize concurrent uploads of one suite.
/// </summary>
public abstract class DapperSuiteStore(TimeProvider clock) : ISuiteStore
{
    private const string VersionColumns = "suite_id, version, content_hash, format, source, created_at";
    private const string RunColumns = "id, suite_id, suite_version, status, result, created_at, updated_at, ended_at";

    public async Task<(SuiteVersionRecord Version, bool Created)> SaveVersionAsync(string tenantId, string suiteId, string source, string format, CancellationToken ct = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)));
        await using var connection = await OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await LockSuiteAsync(connection, tx, tenantId, suiteId);
        var latest = await connection.QuerySingleOrDefaultAsync<SuiteVersionRecord>(
            $"SELECT {VersionColumns} FROM suite_versions WHERE tenant_id = @tenantId AND suite_id = @suiteId ORDER BY version DESC LIMIT 1",
            new { tenantId, suiteId },
            tx);
        if (latest is not null && latest.ContentHash == hash)
        {
            return (latest, false);
        }

        var now = clock.GetUtcNow().ToString("O");
        var record = new SuiteVersionRecord { SuiteId = suiteId, Version = (latest?.Version ?? 0) + 1, ContentHash = hash, Format = format, Source = source, CreatedAt = now };
        await connection.ExecuteAsync(
            "INSERT INTO suite_versions (tenant_id, suite_id, version, content_hash, format, source, created_at) VALUES (@tenantId, @SuiteId, @Version, @ContentHash, @Format, @Source, @CreatedAt)",
            new { tenantId, record.SuiteId, record.Version, record.ContentHash, record.Format, record.Source, record.CreatedAt },
            tx);
        await connection.ExecuteAsync(
            """
            INSERT INTO suites (tenant_id, id, latest_version, created_at, updated_at) VALUES (@tenantId, @suiteId, @version, @now, @now)
            ON CONFLICT (tenant_id, id) DO UPDATE SET latest_version = excluded.latest_version, updated_at = excluded.updated_at
            """,
            new { tenantId, suiteId, version = record.Version, now },
            tx);
        await tx.CommitAsync(ct);
        return (record, true);
    }

    public async Task<IReadOnlyList<SuiteRecord>> ListAsync(string tenantId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return (await connection.QueryAsync<SuiteRecord>("SELECT id, latest_version, created_at, updated_at FROM suites WHERE tenant_id = @tenantId ORDER BY id", new { tenantId })).AsList();
    }

    public async Task<SuiteVersionRecord?> GetVersionAsync(string tenantId, string suiteId, long? version, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<SuiteVersionRecord>(
            $"SELECT {VersionColumns} FROM suite_versions WHERE tenant_id = @tenantId AND suite_id = @suiteId{(version is null ? string.Empty : " AND version = @version")} ORDER BY version DESC LIMIT 1",
            new { tenantId, suiteId, version });
    }

    public async Task CreateRunAsync(string tenantId, SuiteRunRecord run, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var connection = await OpenAsync(ct);
        await connection.ExecuteAsync(
            "INSERT INTO suite_runs (tenant_id, id, suite_id, suite_version, status, result, created_at, updated_at, ended_at) VALUES (@tenantId, @Id, @SuiteId, @SuiteVersion, @Status, @Result, @CreatedAt, @UpdatedAt, @EndedAt)",
            new { tenantId, run.Id, run.SuiteId, run.SuiteVersion, run.Status, run.Result, run.CreatedAt, run.UpdatedAt, run.EndedAt });
    }

    public async Task FinishRunAsync(string tenantId, string suiteRunId, string status, string result, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().ToString("O");
        await using var connection = await OpenAsync(ct);
        await connection.ExecuteAsync(
            "UPDATE suite_runs SET status = @status, result = @result, updated_at = @now, ended_at = @now WHERE tenant_id = @tenantId AND id = @suiteRunId",
            new { tenantId, suiteRunId, status, result, now });
    }

    public async Task<int> AbandonRunningAsync(string reason, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().ToString("O");
        await using var connection = await OpenAsync(ct);
        return await connection.ExecuteAsync(
            "UPDATE suite_runs SET status = 'error', result = @result, updated_at = @now, ended_at = @now WHERE status = 'running'",
            new { result = JsonSerializer.Serialize(new { error = reason }), now });
    }

    public async Task<SuiteRunRecord?> GetRunAsync(string tenantId, string suiteRunId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<SuiteRunRecord>($"SELECT {RunColumns} FROM suite_runs WHERE tenant_id = @tenantId AND id = @suiteRunId", new { tenantId, suiteRunId });
    }

    public async Task<Page<SuiteRunRecord>> ListRunsAsync(string tenantId, string? suiteId, int limit, string? cursor, CancellationToken ct = default)
    {
        var after = RunCursor.TryDecode(cursor, out var createdAt, out var id);
        await using var connection = await OpenAsync(ct);
        var rows = (await connection.QueryAsync<SuiteRunRecord>(
            $"""
            SELECT {RunColumns} FROM suite_runs
            WHERE tenant_id = @tenantId{(suiteId is null ? string.Empty : " AND suite_id = @suiteId")}
              {(after ? "AND (created_at < @createdAt OR (created_at = @createdAt AND id < @id))" : string.Empty)}
            ORDER BY created_at DESC, id DESC LIMIT @take
            """,
            new { tenantId, suiteId, createdAt, id, take = limit + 1 })).AsList();
        var next = rows.Count > limit ? RunCursor.Encode(rows[limit - 1].CreatedAt, rows[limit - 1].Id) : null;
        return new Page<SuiteRunRecord>(rows.Take(limit).ToList(), next);
    }

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>Holds off other writers of this suite's versions until <paramref name="tx"/> ends.</summary>
    protected abstract Task LockSuiteAsync(DbConnection connection, DbTransaction tx, string tenantId, string suiteId);
}
