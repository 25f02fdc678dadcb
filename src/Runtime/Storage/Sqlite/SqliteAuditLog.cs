using Dapper;
using Microsoft.Data.Sqlite;
using Warden.Core.Audit;
using Warden.Core.Serialization;

namespace Warden.Runtime.Storage.Sqlite;

public sealed class SqliteAuditLog(SqliteDatabase db, TimeProvider clock) : IAuditLog
{
    public async Task<AuditEntry> AppendAsync(string tenantId, string actor, string action, string target, object? payload, CancellationToken ct = default)
    {
        await using var connection = db.Open();

        // BEGIN IMMEDIATE takes the write lock before the head is read, so two appends cannot both link to the
        // same head; the (tenant_id, seq) key would refuse the second one anyway.
        await using var tx = connection.BeginTransaction(deferred: false);
        var entry = Append(connection, tx, tenantId, clock.GetUtcNow(), actor, action, target, payload);
        await tx.CommitAsync(ct);
        return entry;
    }

    /// <summary>
    /// The one way a row joins a chain, in the caller's write transaction: the API's appends above, and the engine's
    /// writer, whose governance decisions (approvals, budget kills, breakers) commit with their audit rows.
    /// </summary>
    internal static AuditEntry Append(SqliteConnection connection, SqliteTransaction transaction, string tenantId, DateTimeOffset at, string actor, string action, string target, object? payload)
    {
        var head = connection.QuerySingleOrDefault<AuditHead>(
            "SELECT seq AS Seq, hash AS Hash FROM audit_log WHERE tenant_id = @tenantId ORDER BY seq DESC LIMIT 1",
            new { tenantId },
            transaction);
        var entry = AuditChain.Next(head, at, tenantId, actor, action, target, AuditChain.HashPayload(WardenJson.Serialize(payload)));
        connection.Execute(AuditRows.InsertSql, AuditRows.Insert(entry), transaction);
        return entry;
    }

    public async Task<Page<AuditEntry>> QueryAsync(string tenantId, AuditQuery query, CancellationToken ct = default)
    {
        var (sql, args) = AuditRows.Query(tenantId, query);
        await using var connection = db.Open();
        return AuditRows.Page(await connection.QueryAsync<AuditRow>(sql, args), query.Limit);
    }

    public async Task<AuditVerification> VerifyAsync(string tenantId, CancellationToken ct = default)
    {
        await using var connection = db.Open();

        // Streamed: a long chain is checked row by row, never held in memory.
        var rows = connection.Query<AuditRow>($"SELECT {AuditRows.Columns} FROM audit_log WHERE tenant_id = @tenantId ORDER BY seq", new { tenantId }, buffered: false);
        return AuditChain.Verify(rows.Select(AuditRows.ToEntry));
    }

    /// <summary>The tenants that have a chain. For the operator who owns the file (the CLI's local verify), not for the API.</summary>
    public async Task<IReadOnlyList<string>> TenantsAsync(CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<string>("SELECT DISTINCT tenant_id FROM audit_log ORDER BY tenant_id")).AsList();
    }
}
