using Azure.Data.Tables;
using Warden.Core.Runs;
using Warden.Core.Runs.Replay;
using Warden.Core.Serialization;
using Warden.Runtime.Replay;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// The Durable engine's run histories on Table Storage: table <c>runinputs</c>, PartitionKey = tenant id, RowKey =
/// <c>{run}|{seq:D19}</c>: sequence 0 is the run's start (written with the run's row), each later row the event the
/// decision of that number applied (written by its projection). Upserts under fixed keys, so repeats are harmless.
/// </summary>
public sealed class TablesRunHistoryStore(TableStorage storage, IRunStore runs) : IRunHistoryStore
{
    public const string Table = "runinputs";

    public async Task<RunHistory?> LoadAsync(string tenantId, string runId, CancellationToken ct = default)
    {
        if (await runs.GetAsync(tenantId, runId, ct) is not { } run)
        {
            return null;
        }

        var table = await storage.TableAsync(Table, ct);
        var rows = new List<(string Kind, string Payload, string At)>();
        await foreach (var row in RunTables.Query(table, TableKeys.PrefixFilter(TableKeys.Escape(tenantId), TableKeys.Escape(runId) + TableKeys.Separator), 1000, ct))
        {
            rows.Add((row.GetString("Kind"), LargeText.Read(row, "Payload")!, row.GetString("At")));
        }

        if (rows.Count == 0 || rows[0].Kind != RunInputKinds.Start)
        {
            return null;
        }

        var start = WardenJson.Deserialize<RunStart>(rows[0].Payload);
        var state = WardenJson.Deserialize<RunState>(run.State);
        var events = rows.Skip(1).Select(r => new RecordedEvent(DateTimeOffset.Parse(r.At, System.Globalization.CultureInfo.InvariantCulture), WardenJson.Deserialize<RunEvent>(r.Payload))).ToList();
        return new RunHistory(start, state.StartedAt, events);
    }

    internal static async Task WriteAsync(TableStorage storage, string tenantId, string runId, long seq, DateTimeOffset at, string kind, string payload, CancellationToken ct)
    {
        var table = await storage.TableAsync(Table, ct);
        var row = new TableEntity(TableKeys.Escape(tenantId), TableKeys.Escape(runId) + TableKeys.Separator + TableKeys.Number(seq))
        {
            ["Kind"] = kind,
            ["At"] = at.ToString("O"),
        };
        LargeText.Write(row, "Payload", payload);
        await table.UpsertEntityAsync(row, TableUpdateMode.Replace, ct);
    }
}
