using Azure;
using Azure.Data.Tables;
using Warden.Core.Runs;
using Warden.Core.Serialization;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// <see cref="IRunProjection"/> on Azure Table Storage: the Durable engine's read model, beside its task hub in the app's
/// storage account, so every Functions instance reads the runs any instance started. Keys: see <see cref="RunRows"/>
/// (runs: tenant / run|newest, id|run, node|node|newest), <see cref="TimelineRows"/> (tenant|run / seq and tenant /
/// at|run|seq), <see cref="ApprovalRows"/> (tenant / approval) and <see cref="TablesUsageStore"/> (tenant|day /
/// run|node|visit|attempt|call). Every write is idempotent, since activities run at least once: timeline rows are
/// upserted under keys the decision fixed, approvals change only from pending, and the run row is replaced only when its
/// stored Version is older, guarded by its ETag (a writer that loses the race reads the row again), so two instances
/// writing versions N and N+1 in either order leave N+1.
/// </summary>
public sealed class TablesRunProjection(TableStorage storage) : IRunProjection
{
    private const string NodeStarted = "node.started";

    public async Task CreateRunAsync(RunStart start, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        var runs = await storage.TableAsync(RunTables.Runs, ct);
        var partition = TableKeys.Escape(start.TenantId);
        var createdAt = now.ToString("O");
        var newest = TableKeys.Newest(createdAt, start.RunId);
        try
        {
            // One entity-group transaction: the pointer and the row exist together or not at all.
            await runs.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Add, RunRows.Pointer(partition, start.RunId, newest)),
                    new TableTransactionAction(TableTransactionActionType.Add, RunRows.Created(partition, start, createdAt, newest)),
                ],
                ct);
        }
        catch (RequestFailedException ex) when (RunTables.IsConflict(ex))
        {
            // Created before (the start was retried): the first creation stands, as INSERT OR IGNORE leaves it.
        }

        await TablesRunHistoryStore.WriteAsync(storage, start.TenantId, start.RunId, 0, now, Replay.RunInputKinds.Start, WardenJson.Serialize(start), ct);
    }

    public async Task ApplyAsync(RunProjectionUpdate update, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var state = update.State;
        var at = state.UpdatedAt.ToString("O");
        var events = new List<RunEventRecord>();
        var seq = update.EventsBefore;
        foreach (var entry in update.Commands.OfType<AppendTimeline>().SelectMany(t => t.Entries))
        {
            events.Add(new RunEventRecord
            {
                RunId = state.RunId,
                Seq = ++seq,
                At = entry.At.ToString("O"),
                Type = entry.Type,
                NodeId = entry.NodeId,
                Attempt = entry.Attempt,
                Data = entry.Data is null ? null : WardenJson.Serialize(entry.Data),
            });
        }

        if (update.Input is { } input)
        {
            await TablesRunHistoryStore.WriteAsync(storage, state.TenantId, state.RunId, update.Version, input.At, Replay.RunInputKinds.Event, WardenJson.Serialize(input.Event), ct);
        }

        // Timeline first and the run row last: a reader that sees version N finds N's timeline already there.
        var runEvents = await storage.TableAsync(RunTables.RunEvents, ct);
        await RunTables.UpsertAllAsync(runEvents, events.Select(e => TimelineRows.RunRow(state.TenantId, e)), ct);
        var tenantEvents = await storage.TableAsync(RunTables.TenantEvents, ct);
        await RunTables.UpsertAllAsync(tenantEvents, events.Select(e => TimelineRows.TenantRow(state.TenantId, e)), ct);
        await ApplyApprovalsAsync(state, update.Commands, at, ct);

        var runs = await storage.TableAsync(RunTables.Runs, ct);
        var partition = TableKeys.Escape(state.TenantId);
        if (await RunTables.FindAsync(runs, partition, RunRows.PointerKey(state.RunId), ct) is not { } pointer)
        {
            return; // No such run (of this tenant): nothing to move forward, as an UPDATE of no row.
        }

        var newest = pointer.GetString("Newest");
        var nodes = events.Where(e => e.Type == NodeStarted && e.NodeId is not null).Select(e => e.NodeId!).Distinct(StringComparer.Ordinal);
        await RunTables.UpsertAllAsync(runs, nodes.Select(n => RunRows.Node(partition, n, newest, state.RunId)), ct);
        await MoveForwardAsync(runs, partition, RunRows.RunPrefix + newest, update, seq, ct);
    }

    public async Task RecordUsageAsync(NodeInvocation invocation, IReadOnlyList<ProviderCall> calls, DateTimeOffset at, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Count == 0)
        {
            return;
        }

        var usage = await storage.TableAsync(RunTables.Usage, ct);
        var first = await UsageRows.ClaimAsync(usage, invocation, at, ct);
        var rows = calls.Select((call, i) => UsageRows.Row(invocation, i + 1, call, first));
        await RunTables.UpsertAllAsync(usage, rows, ct);
    }

    /// <summary>Replaces the run row with the decision unless the stored one is as new or newer; retried when another writer got there first.</summary>
    private static async Task MoveForwardAsync(TableClient runs, string partition, string rowKey, RunProjectionUpdate update, long eventSeq, CancellationToken ct)
    {
        while (true)
        {
            if (await RunTables.FindAsync(runs, partition, rowKey, ct) is not { } stored || (stored.GetInt64("Version") ?? 0) >= update.Version)
            {
                return;
            }

            try
            {
                await runs.UpdateEntityAsync(RunRows.Decided(stored, update.State, update.Version, eventSeq), stored.ETag, TableUpdateMode.Replace, ct);
                return;
            }
            catch (RequestFailedException ex) when (RunTables.IsStale(ex))
            {
                // Another instance wrote the row since it was read: read it again and compare versions again.
            }
        }
    }

    private async Task ApplyApprovalsAsync(RunState state, IReadOnlyList<RunCommand> commands, string at, CancellationToken ct)
    {
        if (!commands.Any(c => c is RequestApproval or CloseApproval or EscalateApproval))
        {
            return;
        }

        var approvals = await storage.TableAsync(RunTables.Approvals, ct);
        var partition = TableKeys.Escape(state.TenantId);
        foreach (var command in commands)
        {
            switch (command)
            {
                case RequestApproval a:
                    try
                    {
                        await approvals.AddEntityAsync(ApprovalRows.Requested(state.TenantId, state.RunId, a.ApprovalId, a.NodeId, a.Message, a.Deadline?.ToString("O"), at), ct);
                    }
                    catch (RequestFailedException ex) when (RunTables.IsConflict(ex))
                    {
                        // Requested before: a replay must not reopen an approval that was decided since.
                    }

                    break;
                case CloseApproval a:
                    await ChangePendingAsync(approvals, partition, a.ApprovalId, row => row.GetString("Status") == "pending", row =>
                    {
                        row["Status"] = a.Outcome.ToString().ToLowerInvariant();
                        row["DecidedAt"] = at;
                        row["DecidedBy"] = a.Actor;
                        row["Comment"] = a.Comment;
                    }, ct);
                    break;
                case EscalateApproval a:
                    await ChangePendingAsync(approvals, partition, a.ApprovalId, row => row.GetBoolean("Escalated") != true, row => row["Escalated"] = true, ct);
                    break;
            }
        }
    }

    /// <summary>Read, check, change, replace under the row's ETag; again when another writer changed it in between.</summary>
    private static async Task ChangePendingAsync(TableClient approvals, string partition, string approvalId, Func<TableEntity, bool> applies, Action<TableEntity> change, CancellationToken ct)
    {
        while (await RunTables.FindAsync(approvals, partition, TableKeys.Escape(approvalId), ct) is { } row && applies(row))
        {
            change(row);
            try
            {
                await approvals.UpdateEntityAsync(RunTables.WithoutNulls(row), row.ETag, TableUpdateMode.Replace, ct);
                return;
            }
            catch (RequestFailedException ex) when (RunTables.IsStale(ex))
            {
                // Changed since it was read: look again.
            }
        }
    }
}
