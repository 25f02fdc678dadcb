using Azure.Data.Tables;
using Warden.Core.Runs.Replay;
using Warden.Runtime.Replay;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// Recordings on Table Storage: table <c>recordings</c>, PartitionKey = tenant id, RowKey = recording id (its content
/// hash), the document in <see cref="LargeText"/> property <c>Body</c>. Adding the same recording twice is a no-op.
/// </summary>
public sealed class TablesRecordingStore(TableStorage storage, TimeProvider clock) : IRecordingStore
{
    public const string Table = "recordings";

    public async Task<(string Id, bool Created)> SaveAsync(string tenantId, Recording recording, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(recording);
        var id = RecordingJson.IdOf(recording);
        var table = await storage.TableAsync(Table, ct);
        var partition = TableKeys.Escape(tenantId);
        if (await RunTables.FindAsync(table, partition, id, ct) is not null)
        {
            return (id, false);
        }

        var row = new TableEntity(partition, id)
        {
            ["SourceRunId"] = recording.SourceRunId,
            ["GraphId"] = recording.GraphId,
            ["CreatedAt"] = clock.GetUtcNow().ToString("O"),
        };
        LargeText.Write(row, "Body", RecordingJson.Serialize(recording));
        try
        {
            await table.AddEntityAsync(row, ct);
            return (id, true);
        }
        catch (Azure.RequestFailedException ex) when (TableKeys.IsConflict(ex))
        {
            return (id, false); // the same content, added by a concurrent upload
        }
    }

    public async Task<Recording?> GetAsync(string tenantId, string recordingId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        return await RunTables.FindAsync(table, TableKeys.Escape(tenantId), TableKeys.Escape(recordingId), ct) is { } row && LargeText.Read(row, "Body") is { } body
            ? RecordingJson.Parse(body)
            : null;
    }
}
