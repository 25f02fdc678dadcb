using Dapper;
using Npgsql;
using Warden.Core.Audit;
using Warden.Core.Serialization;

namespace Warden.Runtime.Storage.Postgres;

/// <summary>
/// The audit log in the shared database. Instances append to one tenant's chain concurrently, so an append takes the
/// tenant's transaction-scoped advisory lock before it reads the head: appends to one chain take turns, and every row
/// links to the row before it. Rows are hashed by Core's <see cref="AuditChain"/>, exactly as the SQLite store hashes.
/// </summary>
public sealed class PostgresAuditLog(PostgresDatabase db, TimeProvider clock) : IAuditLog, IForwardedAuditLog
{
    public async Task<AuditEntry> AppendAsync(string tenantId, string actor, string action, string target, object? payload, CancellationToken ct = default)
    {
        var payloadHash = AuditChain.HashPayload(WardenJson.Serialize(payload));
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var entry = await AppendAsync(connection, tx, tenantId, clock.GetUtcNow(), actor, action, target, payloadHash);
        await tx.CommitAsync(ct);
        return entry;
    }

    /// <summary>
    /// Appends a row an embedded engine queued in its local outbox (see <see cref="AuditForwarder"/>), once: the
    /// outbox id is recorded with the row in one transaction, so forwarding it again appends nothing.
    /// </summary>
    /// <returns>The appended row, or null when this outbox row was forwarded before.</returns>
    internal async Task<AuditEntry?> AppendForwardedAsync(AuditOutboxRow row, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var at = DateTimeOffset.Parse(row.At, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);
        var entry = await AppendAsync(connection, tx, row.TenantId, at, row.Actor, row.Action, row.Target, row.PayloadHash);
        var recorded = await connection.ExecuteAsync(
            "INSERT INTO audit_forwarded (id, tenant_id, seq) VALUES (@Id, @TenantId, @Seq) ON CONFLICT (id) DO NOTHING",
            new { row.Id, row.TenantId, entry.Seq },
            tx);
        if (recorded == 0)
        {
            await tx.RollbackAsync(ct);
            return null;
        }

        await tx.CommitAsync(ct);
        return entry;
    }

    Task<AuditEntry?> IForwardedAuditLog.AppendForwardedAsync(AuditOutboxRow row, CancellationToken ct) => AppendForwardedAsync(row, ct);

    public async Task<Page<AuditEntry>> QueryAsync(string tenantId, AuditQuery query, CancellationToken ct = default)
    {
        var (sql, args) = AuditRows.Query(tenantId, query);
        await using var connection = await db.OpenAsync(ct);
        return AuditRows.Page(await connection.QueryAsync<AuditRow>(sql, args), query.Limit);
    }

    public async Task<AuditVerification> VerifyAsync(string tenantId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);

        // Streamed: a long chain is checked row by row, never held in memory.
        var rows = connection.Query<AuditRow>($"SELECT {AuditRows.Columns} FROM audit_log WHERE tenant_id = @tenantId ORDER BY seq", new { tenantId }, buffered: false);
        return AuditChain.Verify(rows.Select(AuditRows.ToEntry));
    }

    private static async Task<AuditEntry> AppendAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenantId, DateTimeOffset at, string actor, string action, string target, string payloadHash)
    {
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@lockClass, hashtext(@tenantId))", new { lockClass = AdvisoryLocks.AuditChain, tenantId }, tx);
        var head = await connection.QuerySingleOrDefaultAsync<AuditHead>(
            "SELECT seq AS Seq, hash AS Hash FROM audit_log WHERE tenant_id = @tenantId ORDER BY seq DESC LIMIT 1",
            new { tenantId },
            tx);
        var entry = AuditChain.Next(head, at, tenantId, actor, action, target, payloadHash);
        await connection.ExecuteAsync(AuditRows.InsertSql, AuditRows.Insert(entry), tx);
        return entry;
    }
}
