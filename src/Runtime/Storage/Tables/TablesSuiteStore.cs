using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// Suites, their immutable versions and suite runs on Table Storage: table <c>suites</c>, PartitionKey = tenant id, and row keys
/// <list type="bullet">
/// <item><c>s|{suite}</c>: the suite (latest version and its content hash); listing is a range over <c>s|</c>.</item>
/// <item><c>v|{suite}|{version:D19}</c> and its part rows: a version, its source split as <see cref="TablesGraphStore"/> splits a graph's.
/// A new version is the same entity-group transaction and ETag retry, so versions stay consecutive.</item>
/// <item><c>r|{newest}</c>: a suite run under <see cref="TableKeys.Newest"/>, so a range over <c>r|</c> lists newest first and the
/// SQLite store's cursor is a RowKey lower bound; its result JSON in <see cref="TableText"/> chunks.</item>
/// <item><c>p|{suite run}</c>: the run's pointer (its <c>r|</c> row key), for reads by id.</item>
/// </list>
/// Table <c>suiterunning</c> holds one row per running suite run (PartitionKey <c>running</c>, RowKey tenant|run), so
/// <see cref="AbandonRunningAsync"/> finds them on every tenant without scanning every partition. The index row is written
/// before the run and removed after it ends: a stray index row names a run that is missing or ended, and is dropped.
/// </summary>
public sealed class TablesSuiteStore(TableStorage storage, TimeProvider clock) : ISuiteStore
{
    public const string Table = "suites";

    public const string RunningTable = "suiterunning";

    private const string RunningPartition = "running";

    /// <summary>Source chunks per row: 24 × 32 KiB stays well below an entity's 1 MiB.</summary>
    private const int ChunksPerRow = 24;

    private const string RunPrefix = "r|";

    public async Task<(SuiteVersionRecord Version, bool Created)> SaveVersionAsync(string tenantId, string suiteId, string source, string format, CancellationToken ct = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)));
        var table = await storage.TableAsync(Table, ct);
        var partition = TableKeys.Escape(tenantId);
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
        {
            var suite = await RunTables.FindAsync(table, partition, SuiteRow(suiteId), ct);
            var latest = suite?.GetInt64("LatestVersion") ?? 0;
            if (suite is not null && suite.GetString("LatestHash") == hash
                && await ReadVersionAsync(table, partition, suiteId, latest, ct) is { } unchanged)
            {
                return (unchanged, false);
            }

            var now = clock.GetUtcNow().ToString("O");
            var record = new SuiteVersionRecord { SuiteId = suiteId, Version = latest + 1, ContentHash = hash, Format = format, Source = source, CreatedAt = now };
            var actions = VersionRows(partition, record).Select(row => new TableTransactionAction(TableTransactionActionType.Add, row)).ToList();
            var next = new TableEntity(partition, SuiteRow(suiteId))
            {
                ["Id"] = suiteId,
                ["LatestVersion"] = record.Version,
                ["LatestHash"] = hash,
                ["CreatedAt"] = suite?.GetString("CreatedAt") ?? now,
                ["UpdatedAt"] = now,
            };
            actions.Add(suite is null
                ? new TableTransactionAction(TableTransactionActionType.Add, next)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, next, suite.ETag));
            try
            {
                await table.SubmitTransactionAsync(actions, ct);
                return (record, true);
            }
            catch (TableTransactionFailedException ex) when (TableKeys.IsConflict(ex))
            {
                // Another upload took this version number first.
                await OptimisticRetry.DelayAsync(attempt, ct);
            }
        }

        throw OptimisticRetry.GaveUp($"saving a version of suite {suiteId}");
    }

    public async Task<IReadOnlyList<SuiteRecord>> ListAsync(string tenantId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var suites = new List<SuiteRecord>();
        await foreach (var entity in RunTables.Query(table, TableKeys.PrefixFilter(TableKeys.Escape(tenantId), "s|"), null, ct))
        {
            suites.Add(new SuiteRecord
            {
                Id = entity.Required("Id"),
                LatestVersion = entity.GetInt64("LatestVersion") ?? 0,
                CreatedAt = entity.Required("CreatedAt"),
                UpdatedAt = entity.Required("UpdatedAt"),
            });
        }

        return [.. suites.OrderBy(s => s.Id, StringComparer.Ordinal)];
    }

    public async Task<SuiteVersionRecord?> GetVersionAsync(string tenantId, string suiteId, long? version, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var partition = TableKeys.Escape(tenantId);
        if (version is null)
        {
            if (await RunTables.FindAsync(table, partition, SuiteRow(suiteId), ct) is not { } suite || suite.GetInt64("LatestVersion") is not { } latest)
            {
                return null;
            }

            version = latest;
        }

        return await ReadVersionAsync(table, partition, suiteId, version.Value, ct);
    }

    public async Task CreateRunAsync(string tenantId, SuiteRunRecord run, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var table = await storage.TableAsync(Table, ct);
        var partition = TableKeys.Escape(tenantId);
        var key = RunPrefix + TableKeys.Newest(run.CreatedAt, run.Id);
        if (run.Status == "running")
        {
            var running = await storage.TableAsync(RunningTable, ct);
            await running.UpsertEntityAsync(new TableEntity(RunningPartition, RunningRow(tenantId, run.Id)) { ["TenantId"] = tenantId, ["SuiteRunId"] = run.Id }, TableUpdateMode.Replace, ct);
        }

        await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.Add, RunRow(partition, key, run)),
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, PointerRow(run.Id)) { ["RunKey"] = key }),
            ],
            ct);
    }

    public async Task FinishRunAsync(string tenantId, string suiteRunId, string status, string result, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        if (await FindRunAsync(table, TableKeys.Escape(tenantId), suiteRunId, ct) is { } row)
        {
            var now = clock.GetUtcNow().ToString("O");
            var run = ToRun(row);
            var ended = new SuiteRunRecord
            {
                Id = run.Id, SuiteId = run.SuiteId, SuiteVersion = run.SuiteVersion, Status = status, Result = result,
                CreatedAt = run.CreatedAt, UpdatedAt = now, EndedAt = now,
            };

            // Replaced whole, so a shorter result leaves no chunks of the previous one behind; the end wins over an abandon.
            await table.UpdateEntityAsync(RunRow(row.PartitionKey, row.RowKey, ended), ETag.All, TableUpdateMode.Replace, ct);
        }

        await DropRunningAsync(tenantId, suiteRunId, ct);
    }

    public async Task<int> AbandonRunningAsync(string reason, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var running = await storage.TableAsync(RunningTable, ct);
        var result = JsonSerializer.Serialize(new { error = reason });
        var abandoned = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {RunningPartition}");
        await foreach (var index in RunTables.Query(running, filter, null, ct))
        {
            var tenantId = index.Required("TenantId");
            var suiteRunId = index.Required("SuiteRunId");
            if (await AbandonAsync(table, TableKeys.Escape(tenantId), suiteRunId, result, ct))
            {
                abandoned++;
            }

            await DropRunningAsync(tenantId, suiteRunId, ct);
        }

        return abandoned;
    }

    public async Task<SuiteRunRecord?> GetRunAsync(string tenantId, string suiteRunId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        return await FindRunAsync(table, TableKeys.Escape(tenantId), suiteRunId, ct) is { } row ? ToRun(row) : null;
    }

    public async Task<Page<SuiteRunRecord>> ListRunsAsync(string tenantId, string? suiteId, int limit, string? cursor, CancellationToken ct = default)
    {
        var after = RunCursor.TryDecode(cursor, out var createdAt, out var id) ? TableKeys.Newest(createdAt, id) : string.Empty;
        var table = await storage.TableAsync(Table, ct);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {TableKeys.Escape(tenantId)} and RowKey gt {RunPrefix + after} and RowKey lt {TableKeys.PrefixEnd(RunPrefix)}");
        if (suiteId is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"SuiteId eq {suiteId}");
        }

        var rows = new List<SuiteRunRecord>();
        await foreach (var row in RunTables.Query(table, filter, limit + 1, ct))
        {
            rows.Add(ToRun(row));
            if (rows.Count > limit)
            {
                break;
            }
        }

        var next = rows.Count > limit ? RunCursor.Encode(rows[limit - 1].CreatedAt, rows[limit - 1].Id) : null;
        return new Page<SuiteRunRecord>([.. rows.Take(limit)], next);
    }

    /// <summary>Ends the run as error If-Match the ETag read, unless it is no longer running; false when there was nothing to end.</summary>
    private async Task<bool> AbandonAsync(TableClient table, string partition, string suiteRunId, string result, CancellationToken ct)
    {
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
        {
            if (await FindRunAsync(table, partition, suiteRunId, ct) is not { } row || row.GetString("Status") != "running")
            {
                return false;
            }

            var now = clock.GetUtcNow().ToString("O");
            var run = ToRun(row);
            var ended = new SuiteRunRecord
            {
                Id = run.Id, SuiteId = run.SuiteId, SuiteVersion = run.SuiteVersion, Status = "error", Result = result,
                CreatedAt = run.CreatedAt, UpdatedAt = now, EndedAt = now,
            };
            try
            {
                await table.UpdateEntityAsync(RunRow(partition, row.RowKey, ended), row.ETag, TableUpdateMode.Replace, ct);
                return true;
            }
            catch (RequestFailedException ex) when (TableKeys.IsConflict(ex))
            {
                // It ended meanwhile, or another instance abandoned it: read again.
                await OptimisticRetry.DelayAsync(attempt, ct);
            }
        }

        throw OptimisticRetry.GaveUp($"abandoning suite run {suiteRunId}");
    }

    private async Task DropRunningAsync(string tenantId, string suiteRunId, CancellationToken ct)
    {
        var running = await storage.TableAsync(RunningTable, ct);
        try
        {
            await running.DeleteEntityAsync(RunningPartition, RunningRow(tenantId, suiteRunId), ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Never indexed (created ended) or already dropped.
        }
    }

    private static async Task<TableEntity?> FindRunAsync(TableClient table, string partition, string suiteRunId, CancellationToken ct) =>
        await RunTables.FindAsync(table, partition, PointerRow(suiteRunId), ct) is { } pointer
            ? await RunTables.FindAsync(table, partition, pointer.Required("RunKey"), ct)
            : null;

    private static TableEntity RunRow(string partition, string rowKey, SuiteRunRecord run)
    {
        var row = new TableEntity(partition, rowKey)
        {
            ["Id"] = run.Id,
            ["SuiteId"] = run.SuiteId,
            ["SuiteVersion"] = run.SuiteVersion,
            ["Status"] = run.Status,
            ["CreatedAt"] = run.CreatedAt,
            ["UpdatedAt"] = run.UpdatedAt,
        };
        TableText.Set(row, "EndedAt", run.EndedAt);
        TableText.Write(row, "Result", run.Result);
        return row;
    }

    private static SuiteRunRecord ToRun(TableEntity row) => new()
    {
        Id = row.Required("Id"),
        SuiteId = row.Required("SuiteId"),
        SuiteVersion = row.GetInt64("SuiteVersion") ?? 0,
        Status = row.Required("Status"),
        Result = TableText.Read(row, "Result"),
        CreatedAt = row.Required("CreatedAt"),
        UpdatedAt = row.Required("UpdatedAt"),
        EndedAt = row.GetString("EndedAt"),
    };

    private static async Task<SuiteVersionRecord?> ReadVersionAsync(TableClient table, string partition, string suiteId, long version, CancellationToken ct)
    {
        var first = VersionRow(suiteId, version);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {first} and RowKey lt {first + "}"}");
        var document = (await TableText.ReadPartRowsAsync(RunTables.Query(table, filter, null, ct), "Source")).SingleOrDefault();
        return document.Head is not { } head ? null : new SuiteVersionRecord
        {
            SuiteId = head.Required("SuiteId"),
            Version = head.GetInt64("Version") ?? 0,
            ContentHash = head.Required("ContentHash"),
            Format = head.Required("Format"),
            Source = document.Text,
            CreatedAt = head.Required("CreatedAt"),
        };
    }

    /// <summary>The version's row and, for a long source, its part rows: the source in 16K-character chunks, 24 to a row.</summary>
    private static IEnumerable<TableEntity> VersionRows(string partition, SuiteVersionRecord record) =>
        TableText.PartRows(
            partition,
            VersionRow(record.SuiteId, record.Version),
            new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["SuiteId"] = record.SuiteId,
                ["Version"] = record.Version,
                ["ContentHash"] = record.ContentHash,
                ["Format"] = record.Format,
                ["CreatedAt"] = record.CreatedAt,
            },
            "Source",
            record.Source,
            ChunksPerRow);

    private static string SuiteRow(string suiteId) => "s|" + TableKeys.Escape(suiteId);

    private static string VersionRow(string suiteId, long version) => $"v|{TableKeys.Escape(suiteId)}|{TableKeys.Number(version)}";

    private static string PointerRow(string suiteRunId) => "p|" + TableKeys.Escape(suiteRunId);

    private static string RunningRow(string tenantId, string suiteRunId) => $"{TableKeys.Escape(tenantId)}|{TableKeys.Escape(suiteRunId)}";
}
