using System.Globalization;
using Azure.Data.Tables;
using Warden.Core.Audit;
using Warden.Core.Serialization;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// The audit log on Table Storage: table <c>audit</c>, PartitionKey = tenant id (one chain per partition), row keys
/// <list type="bullet">
/// <item><c>{seq:D19}</c>: a row of the chain. Zero-padded, so the partition reads in seq order (verify) and a
/// row-key range is a seq range (the newest-first query walks back from the head in ranges, its cursor a seq).</item>
/// <item><c>head</c>: the seq and hash of the last row. Every append reads it with its ETag and commits the new row
/// together with the head's replacement (If-Match that ETag) in one entity-group transaction: of two instances
/// appending at once one commits, the other's transaction fails whole (412) and it links to the new head instead.
/// The chain cannot fork.</item>
/// <item><c>fwd|{outbox id}</c>: an embedded engine's outbox row that was appended (in the same transaction), so
/// forwarding it again appends nothing.</item>
/// </list>
/// </summary>
public sealed class TablesAuditLog(TableStorage storage, TimeProvider clock) : IAuditLog, IForwardedAuditLog
{
    internal const string Table = "audit";
    private const string HeadRow = "head";
    private const string ForwardedPrefix = "fwd|";
    private const int MaxWindow = 1000;

    public async Task<AuditEntry> AppendAsync(string tenantId, string actor, string action, string target, object? payload, CancellationToken ct = default) =>
        (await AppendAsync(tenantId, clock.GetUtcNow(), actor, action, target, AuditChain.HashPayload(WardenJson.Serialize(payload)), forwardedId: null, ct))!;

    Task<AuditEntry?> IForwardedAuditLog.AppendForwardedAsync(AuditOutboxRow row, CancellationToken ct) => AppendForwardedAsync(row, ct);

    /// <summary>Appends a row an embedded engine queued in its outbox, once: a second call with the same outbox id appends nothing.</summary>
    /// <returns>The appended row, or null when this outbox row was forwarded before.</returns>
    internal async Task<AuditEntry?> AppendForwardedAsync(AuditOutboxRow row, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var table = await storage.TableAsync(Table, ct);
        if ((await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(row.TenantId), ForwardedPrefix + TableKeys.Escape(row.Id), select: ["PartitionKey"], cancellationToken: ct)).HasValue)
        {
            return null;
        }

        var at = DateTimeOffset.Parse(row.At, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        return await AppendAsync(row.TenantId, at, row.Actor, row.Action, row.Target, row.PayloadHash, row.Id, ct);
    }

    public async Task<Page<AuditEntry>> QueryAsync(string tenantId, AuditQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var table = await storage.TableAsync(Table, ct);
        var partition = TableKeys.Escape(tenantId);
        long before;
        if (query.Cursor is { Length: > 0 } cursor)
        {
            before = long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
                ? seq
                : throw new ArgumentException("the cursor is not one this server issued", nameof(query));
        }
        else
        {
            var head = await table.GetEntityIfExistsAsync<TableEntity>(partition, HeadRow, cancellationToken: ct);
            before = (head.HasValue ? head.Value?.GetInt64("Seq") ?? 0 : 0) + 1;
        }

        // Newest first: walk back from the cursor (or the head) one seq range at a time, the filters applied by the
        // service, until the page and one row more (to know whether there is a next page) are found.
        var filters = Filters(query);
        var rows = new List<AuditRow>(query.Limit + 1);
        var window = Math.Clamp(query.Limit + 1, 16, MaxWindow);
        for (var high = before - 1; high >= 1 && rows.Count <= query.Limit; window = Math.Min(window * 2, MaxWindow))
        {
            var low = Math.Max(1, high - window + 1);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {TableKeys.Number(low)} and RowKey le {TableKeys.Number(high)}") + filters;
            var range = new List<AuditRow>();
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            {
                range.Add(ToRow(entity));
            }

            range.Reverse();
            rows.AddRange(range.Take(query.Limit + 1 - rows.Count));
            high = low - 1;
        }

        return AuditRows.Page(rows, query.Limit);
    }

    public async Task<AuditVerification> VerifyAsync(string tenantId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);

        // Streamed, page by page, in row-key (seq) order: a long chain is checked row by row, never held in memory.
        // Every all-digit row key, so a row stored under any seq is seen; ':' is the character after '9'.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(tenantId)} and RowKey ge {"0"} and RowKey lt {":"}");
        return AuditChain.Verify(table.Query<TableEntity>(filter, cancellationToken: ct).Select(e => AuditRows.ToEntry(ToRow(e))));
    }

    private async Task<AuditEntry?> AppendAsync(string tenantId, DateTimeOffset at, string actor, string action, string target, string payloadHash, string? forwardedId, CancellationToken ct)
    {
        var table = await storage.TableAsync(Table, ct);
        var partition = TableKeys.Escape(tenantId);
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, HeadRow, cancellationToken: ct);
            var stored = found.HasValue ? found.Value : null;
            var head = stored is null ? null : new AuditHead(stored.GetInt64("Seq") ?? 0, stored.GetString("Hash") ?? string.Empty);
            var entry = AuditChain.Next(head, at, tenantId, actor, action, target, payloadHash);
            var next = new TableEntity(partition, HeadRow) { ["Seq"] = entry.Seq, ["Hash"] = entry.Hash };
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Add, RowEntity(partition, entry)),
                stored is null ? new(TableTransactionActionType.Add, next) : new(TableTransactionActionType.UpdateReplace, next, stored.ETag),
            };
            if (forwardedId is not null)
            {
                actions.Add(new(TableTransactionActionType.Add, new TableEntity(partition, ForwardedPrefix + TableKeys.Escape(forwardedId)) { ["Seq"] = entry.Seq }));
            }

            try
            {
                await table.SubmitTransactionAsync(actions, ct);
                return entry;
            }
            catch (TableTransactionFailedException ex) when (TableKeys.IsConflict(ex))
            {
                if (ex.FailedTransactionActionIndex == 2)
                {
                    // The outbox row was forwarded meanwhile (by this instance's previous run).
                    return null;
                }

                await OptimisticRetry.DelayAsync(attempt, ct);
            }
        }

        throw OptimisticRetry.GaveUp($"appending to the audit chain of tenant {tenantId}");
    }

    /// <summary>The service-side filters of a query, each starting with " and ".</summary>
    private static string Filters(AuditQuery query)
    {
        var filter = new System.Text.StringBuilder();
        if (query.Action is { Length: > 0 } action)
        {
            if (action.EndsWith('*'))
            {
                // A range on the prefix: '_' and '%' stay literal (Table filters have no patterns).
                var prefix = action[..^1];
                if (prefix.Length > 0 && prefix[^1] < char.MaxValue)
                {
                    filter.Append(TableClient.CreateQueryFilter($" and Action ge {prefix} and Action lt {prefix[..^1] + (char)(prefix[^1] + 1)}"));
                }
                else if (prefix.Length > 0)
                {
                    filter.Append(TableClient.CreateQueryFilter($" and Action ge {prefix}"));
                }
            }
            else
            {
                filter.Append(TableClient.CreateQueryFilter($" and Action eq {action}"));
            }
        }

        if (query.Actor is { Length: > 0 } actor)
        {
            filter.Append(TableClient.CreateQueryFilter($" and Actor eq {actor}"));
        }

        if (query.Target is { Length: > 0 } target)
        {
            filter.Append(TableClient.CreateQueryFilter($" and Target eq {target}"));
        }

        if (query.From is { } from)
        {
            filter.Append(TableClient.CreateQueryFilter($" and At ge {AuditChain.FormatTime(from)}"));
        }

        if (query.To is { } to)
        {
            filter.Append(TableClient.CreateQueryFilter($" and At lt {AuditChain.FormatTime(to)}"));
        }

        return filter.ToString();
    }

    /// <summary>The row as stored: the time as text in the one format appends use (see <see cref="AuditRows.ToEntry"/>).</summary>
    private static TableEntity RowEntity(string partition, AuditEntry entry) => new(partition, TableKeys.Number(entry.Seq))
    {
        ["At"] = AuditChain.FormatTime(entry.At),
        ["TenantId"] = entry.TenantId,
        ["Actor"] = entry.Actor,
        ["Action"] = entry.Action,
        ["Target"] = entry.Target,
        ["PayloadHash"] = entry.PayloadHash,
        ["PrevHash"] = entry.PrevHash,
        ["Hash"] = entry.Hash,
    };

    /// <summary>
    /// A stored row as read. The seq is the row key, the row's place in the chain: a row moved to another key is
    /// read at its new place, and verify names the gap. Missing fields read as empty, which cannot hash right.
    /// </summary>
    private static AuditRow ToRow(TableEntity entity) => new()
    {
        Seq = long.TryParse(entity.RowKey, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : -1,
        At = entity.GetString("At"),
        TenantId = entity.GetString("TenantId"),
        Actor = entity.GetString("Actor"),
        Action = entity.GetString("Action"),
        Target = entity.GetString("Target"),
        PayloadHash = entity.GetString("PayloadHash"),
        PrevHash = entity.GetString("PrevHash"),
        Hash = entity.GetString("Hash"),
    };
}
