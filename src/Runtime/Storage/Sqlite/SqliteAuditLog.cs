using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Warden.Core.Audit;
using Warden.Core.Serialization;

namespace Warden.Runtime.Storage.Sqlite;

public sealed class SqliteAuditLog(SqliteDatabase db, TimeProvider clock) : IAuditLog
{
    private const string Columns = "seq, at, tenant_id, actor, action, target, payload_hash, prev_hash, hash";

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
        connection.Execute(
            $"INSERT INTO audit_log ({Columns}) VALUES (@Seq, @At, @TenantId, @Actor, @Action, @Target, @PayloadHash, @PrevHash, @Hash)",
            new { entry.Seq, At = AuditChain.FormatTime(entry.At), entry.TenantId, entry.Actor, entry.Action, entry.Target, entry.PayloadHash, entry.PrevHash, entry.Hash },
            transaction);
        return entry;
    }

    public async Task<Page<AuditEntry>> QueryAsync(string tenantId, AuditQuery query, CancellationToken ct = default)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM audit_log WHERE tenant_id = @tenantId");
        var args = new DynamicParameters(new { tenantId, limit = query.Limit + 1 });
        if (query.Action is { Length: > 0 } action)
        {
            if (action.EndsWith('*'))
            {
                // substr rather than LIKE: '_' and '%' in action names stay literal.
                sql.Append(" AND substr(action, 1, length(@actionPrefix)) = @actionPrefix");
                args.Add("actionPrefix", action[..^1]);
            }
            else
            {
                sql.Append(" AND action = @action");
                args.Add("action", action);
            }
        }

        if (query.Actor is { Length: > 0 })
        {
            sql.Append(" AND actor = @actor");
            args.Add("actor", query.Actor);
        }

        if (query.Target is { Length: > 0 })
        {
            sql.Append(" AND target = @target");
            args.Add("target", query.Target);
        }

        if (query.From is { } from)
        {
            sql.Append(" AND at >= @from");
            args.Add("from", AuditChain.FormatTime(from));
        }

        if (query.To is { } to)
        {
            sql.Append(" AND at < @to");
            args.Add("to", AuditChain.FormatTime(to));
        }

        if (query.Cursor is { Length: > 0 } cursor)
        {
            sql.Append(" AND seq < @before");
            args.Add("before", long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var before)
                ? before
                : throw new ArgumentException("the cursor is not one this server issued", nameof(query)));
        }

        sql.Append(" ORDER BY seq DESC LIMIT @limit");
        await using var connection = db.Open();
        var rows = (await connection.QueryAsync<AuditRow>(sql.ToString(), args)).Select(ToEntry).ToList();
        string? next = null;
        if (rows.Count > query.Limit)
        {
            rows.RemoveAt(rows.Count - 1);
            next = rows[^1].Seq.ToString(CultureInfo.InvariantCulture);
        }

        return new Page<AuditEntry>(rows, next);
    }

    public async Task<AuditVerification> VerifyAsync(string tenantId, CancellationToken ct = default)
    {
        await using var connection = db.Open();

        // Streamed: a long chain is checked row by row, never held in memory.
        var rows = connection.Query<AuditRow>($"SELECT {Columns} FROM audit_log WHERE tenant_id = @tenantId ORDER BY seq", new { tenantId }, buffered: false);
        return AuditChain.Verify(rows.Select(ToEntry));
    }

    /// <summary>The tenants that have a chain. For the operator who owns the file (the CLI's local verify), not for the API.</summary>
    public async Task<IReadOnlyList<string>> TenantsAsync(CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<string>("SELECT DISTINCT tenant_id FROM audit_log ORDER BY tenant_id")).AsList();
    }

    /// <summary>
    /// A stored row as read, however it was edited: a missing or unreadable field (or a time not written in the one
    /// format appends use) becomes a value that cannot hash to the stored hash, so verify names the row instead of
    /// failing on it.
    /// </summary>
    private static AuditEntry ToEntry(AuditRow row) => new(
        row.Seq,
        DateTimeOffset.TryParse(row.At, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) && AuditChain.FormatTime(at) == row.At ? at : DateTimeOffset.MinValue,
        row.TenantId ?? string.Empty,
        row.Actor ?? string.Empty,
        row.Action ?? string.Empty,
        row.Target ?? string.Empty,
        row.PayloadHash ?? string.Empty,
        row.PrevHash ?? string.Empty,
        row.Hash ?? string.Empty);

    private sealed class AuditRow
    {
        public long Seq { get; init; }

        public string? At { get; init; }

        public string? TenantId { get; init; }

        public string? Actor { get; init; }

        public string? Action { get; init; }

        public string? Target { get; init; }

        public string? PayloadHash { get; init; }

        public string? PrevHash { get; init; }

        public string? Hash { get; init; }
    }
}
