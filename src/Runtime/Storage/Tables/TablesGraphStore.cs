using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// Graphs and their immutable versions on Table Storage: table <c>graphs</c>, PartitionKey = tenant id, and row keys
/// <list type="bullet">
/// <item><c>g|{graph}</c>: the graph (description, latest version and its content hash). Listing a tenant's graphs is a
/// range over <c>g|</c>.</item>
/// <item><c>v|{graph}|{version:D19}</c>: a version (hash, format, time and the first part of its source), then
/// <c>v|{graph}|{version:D19}|{part:D4}</c> for the rest of a source too long for one entity. A range over
/// <c>v|{graph}|</c> reads the versions in order, each with its parts.</item>
/// </list>
/// A new version is one entity-group transaction: insert its rows and insert the graph row, or replace it If-Match the
/// ETag read. Two uploaders of one graph both aim at the same next version: one commits, the other's transaction fails
/// whole (409 or 412), and it reads the new latest version and tries again, so versions stay consecutive.
/// </summary>
public sealed class TablesGraphStore(TableStorage storage, TimeProvider clock) : IGraphStore
{
    private const string Table = "graphs";

    /// <summary>Source chunks per row: 24 × 32 KiB stays well below an entity's 1 MiB.</summary>
    private const int ChunksPerRow = 24;

    public async Task<(GraphVersionRecord Version, bool Created)> SaveVersionAsync(string tenantId, string graphId, string? description, string source, string format, CancellationToken ct = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)));
        var table = await storage.TableAsync(Table, ct);
        var partition = TableKeys.Escape(tenantId);
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, GraphRow(graphId), cancellationToken: ct);
            var graph = found.HasValue ? found.Value : null;
            var latest = graph?.GetInt64("LatestVersion") ?? 0;
            if (graph is not null && graph.GetString("LatestHash") == hash
                && await ReadVersionAsync(table, partition, graphId, latest, ct) is { } unchanged)
            {
                return (unchanged, false);
            }

            var now = clock.GetUtcNow().ToString("O");
            var record = new GraphVersionRecord { GraphId = graphId, Version = latest + 1, ContentHash = hash, Format = format, Source = source, CreatedAt = now };
            var actions = VersionRows(partition, record).Select(row => new TableTransactionAction(TableTransactionActionType.Add, row)).ToList();
            var next = new TableEntity(partition, GraphRow(graphId))
            {
                ["Id"] = graphId,
                ["LatestVersion"] = record.Version,
                ["LatestHash"] = hash,
                ["CreatedAt"] = graph?.GetString("CreatedAt") ?? now,
                ["UpdatedAt"] = now,
            };
            TableText.Set(next, "Description", description);
            actions.Add(graph is null
                ? new TableTransactionAction(TableTransactionActionType.Add, next)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, next, graph.ETag));
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

        throw OptimisticRetry.GaveUp($"saving a version of graph {graphId}");
    }

    public async Task<IReadOnlyList<GraphRecord>> ListAsync(string tenantId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var graphs = new List<GraphRecord>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(TableKeys.Escape(tenantId), "g|"), cancellationToken: ct))
        {
            graphs.Add(ToGraph(entity));
        }

        return [.. graphs.OrderBy(g => g.Id, StringComparer.Ordinal)];
    }

    public async Task<GraphRecord?> GetAsync(string tenantId, string graphId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(tenantId), GraphRow(graphId), cancellationToken: ct);
        return found.HasValue && found.Value is { } entity ? ToGraph(entity) : null;
    }

    public async Task<GraphVersionRecord?> GetVersionAsync(string tenantId, string graphId, long? version, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var partition = TableKeys.Escape(tenantId);
        if (version is null)
        {
            var graph = await table.GetEntityIfExistsAsync<TableEntity>(partition, GraphRow(graphId), select: ["LatestVersion"], cancellationToken: ct);
            if (!graph.HasValue || graph.Value?.GetInt64("LatestVersion") is not { } latest)
            {
                return null;
            }

            version = latest;
        }

        return await ReadVersionAsync(table, partition, graphId, version.Value, ct);
    }

    public async Task<IReadOnlyList<GraphVersionRecord>> ListVersionsAsync(string tenantId, string graphId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        return await ReadVersionsAsync(table, TableKeys.PrefixFilter(TableKeys.Escape(tenantId), $"v|{TableKeys.Escape(graphId)}|"), ct);
    }

    private static async Task<GraphVersionRecord?> ReadVersionAsync(TableClient table, string partition, string graphId, long version, CancellationToken ct)
    {
        var first = VersionRow(graphId, version);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {first} and RowKey lt {first + "}"}");
        return (await ReadVersionsAsync(table, filter, ct)).SingleOrDefault();
    }

    /// <summary>The versions in the rows the filter selects: a version row and then its part rows, in row-key order.</summary>
    private static async Task<List<GraphVersionRecord>> ReadVersionsAsync(TableClient table, string filter, CancellationToken ct) =>
        [.. (await TableText.ReadPartRowsAsync(table.QueryAsync<TableEntity>(filter, cancellationToken: ct), "Source")).Select(d => new GraphVersionRecord
        {
            GraphId = d.Head.Required("GraphId"),
            Version = d.Head.GetInt64("Version") ?? 0,
            ContentHash = d.Head.Required("ContentHash"),
            Format = d.Head.Required("Format"),
            Source = d.Text,
            CreatedAt = d.Head.Required("CreatedAt"),
        })];

    /// <summary>The version's row and, for a long source, its part rows: the source in 16K-character chunks, 24 to a row.</summary>
    private static IEnumerable<TableEntity> VersionRows(string partition, GraphVersionRecord record) =>
        TableText.PartRows(
            partition,
            VersionRow(record.GraphId, record.Version),
            new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["GraphId"] = record.GraphId,
                ["Version"] = record.Version,
                ["ContentHash"] = record.ContentHash,
                ["Format"] = record.Format,
                ["CreatedAt"] = record.CreatedAt,
            },
            "Source",
            record.Source,
            ChunksPerRow);

    private static string GraphRow(string graphId) => "g|" + TableKeys.Escape(graphId);

    private static string VersionRow(string graphId, long version) => $"v|{TableKeys.Escape(graphId)}|{TableKeys.Number(version)}";

    private static GraphRecord ToGraph(TableEntity entity) => new()
    {
        Id = entity.Required("Id"),
        Description = entity.GetString("Description"),
        LatestVersion = entity.GetInt64("LatestVersion") ?? 0,
        CreatedAt = entity.Required("CreatedAt"),
        UpdatedAt = entity.Required("UpdatedAt"),
    };
}
