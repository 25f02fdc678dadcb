using Dapper;
using Warden.Core.Runs;
using Warden.Core.Runs.Replay;
using Warden.Core.Serialization;
using Warden.Runtime.Replay;

namespace Warden.Runtime.Storage.Sqlite;

/// <summary>Recorded decider inputs in the SQLite file (table <c>run_inputs</c>, migration 8): the embedded writer appends them, a projection writes them by decision number.</summary>
public sealed class SqliteRunHistoryStore(SqliteDatabase db) : IRunHistoryStore
{
    public async Task<RunHistory?> LoadAsync(string tenantId, string runId, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        var rows = (await connection.QueryAsync<(string At, string Kind, string Payload)>(
            "SELECT at, kind, payload FROM run_inputs WHERE tenant_id = @tenantId AND run_id = @runId ORDER BY seq",
            new { tenantId, runId })).AsList();
        if (rows.Count == 0 || rows[0].Kind != RunInputKinds.Start)
        {
            return null;
        }

        // The start's time is the decider's (the run's StartedAt): a projection's start row has the caller's clock.
        var state = await connection.QuerySingleOrDefaultAsync<string>("SELECT state FROM runs WHERE tenant_id = @tenantId AND id = @runId", new { tenantId, runId });
        var startedAt = state is null ? Parse(rows[0].At) : WardenJson.Deserialize<RunState>(state).StartedAt;
        var start = WardenJson.Deserialize<RunStart>(rows[0].Payload);
        var events = rows.Skip(1).Select(r => new RecordedEvent(Parse(r.At), WardenJson.Deserialize<RunEvent>(r.Payload))).ToList();
        return new RunHistory(start, startedAt, events);
    }

    private static DateTimeOffset Parse(string at) => DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Recordings in the embedded SQLite store (table <c>recordings</c>, migration 8), by content hash per tenant.</summary>
public sealed class SqliteRecordingStore(SqliteDatabase db, TimeProvider clock) : IRecordingStore
{
    public async Task<(string Id, bool Created)> SaveAsync(string tenantId, Recording recording, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(recording);
        var id = RecordingJson.IdOf(recording);
        await using var connection = db.Open();
        var inserted = await connection.ExecuteAsync(
            "INSERT OR IGNORE INTO recordings (tenant_id, id, source_run_id, graph_id, body, created_at) VALUES (@tenantId, @id, @source, @graph, @body, @now)",
            new { tenantId, id, source = recording.SourceRunId, graph = recording.GraphId, body = RecordingJson.Serialize(recording), now = clock.GetUtcNow().ToString("O") });
        return (id, inserted == 1);
    }

    public async Task<Recording?> GetAsync(string tenantId, string recordingId, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        var body = await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT body FROM recordings WHERE tenant_id = @tenantId AND id = @recordingId", new { tenantId, recordingId });
        return body is null ? null : RecordingJson.Parse(body);
    }
}
