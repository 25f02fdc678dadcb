using System.Globalization;
using System.Text;
using Dapper;
using Warden.Core.Audit;

namespace Warden.Runtime.Storage;

/// <summary>
/// The audit_log table as both backends read it: the same columns, the same filter SQL (plain SQL that SQLite and
/// PostgreSQL both run) and the same reading of a stored row, so a chain verifies alike wherever it is kept.
/// </summary>
internal static class AuditRows
{
    public const string Columns = "seq, at, tenant_id, actor, action, target, payload_hash, prev_hash, hash";

    /// <summary>The SELECT for a page of <see cref="IAuditLog.QueryAsync"/>: one row more than the limit, to know whether there is a next page.</summary>
    public static (string Sql, DynamicParameters Args) Query(string tenantId, AuditQuery query)
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
        return (sql.ToString(), args);
    }

    /// <summary>The page from the rows <see cref="Query"/> returned.</summary>
    public static Page<AuditEntry> Page(IEnumerable<AuditRow> rows, int limit)
    {
        var entries = rows.Select(ToEntry).ToList();
        string? next = null;
        if (entries.Count > limit)
        {
            entries.RemoveAt(entries.Count - 1);
            next = entries[^1].Seq.ToString(CultureInfo.InvariantCulture);
        }

        return new Page<AuditEntry>(entries, next);
    }

    /// <summary>
    /// A stored row as read, however it was edited: a missing or unreadable field (or a time not written in the one
    /// format appends use) becomes a value that cannot hash to the stored hash, so verify names the row instead of
    /// failing on it.
    /// </summary>
    public static AuditEntry ToEntry(AuditRow row) => new(
        row.Seq,
        DateTimeOffset.TryParse(row.At, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) && AuditChain.FormatTime(at) == row.At ? at : DateTimeOffset.MinValue,
        row.TenantId ?? string.Empty,
        row.Actor ?? string.Empty,
        row.Action ?? string.Empty,
        row.Target ?? string.Empty,
        row.PayloadHash ?? string.Empty,
        row.PrevHash ?? string.Empty,
        row.Hash ?? string.Empty);

    /// <summary>The insert parameters of an entry, its time in the one stored format.</summary>
    public static object Insert(AuditEntry entry) =>
        new { entry.Seq, At = AuditChain.FormatTime(entry.At), entry.TenantId, entry.Actor, entry.Action, entry.Target, entry.PayloadHash, entry.PrevHash, entry.Hash };

    public const string InsertSql = $"INSERT INTO audit_log ({Columns}) VALUES (@Seq, @At, @TenantId, @Actor, @Action, @Target, @PayloadHash, @PrevHash, @Hash)";
}

internal sealed class AuditRow
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
