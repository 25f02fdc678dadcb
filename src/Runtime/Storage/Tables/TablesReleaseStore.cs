using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Warden.Core.Releases;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// Snapshots and release history on Table Storage: table <c>releases</c>, PartitionKey = tenant id, and row keys
/// <c>s|{graph}|{snapshot}</c> (a snapshot; its content in chunked properties) and <c>r|{graph}|{seq:D19}</c> (one move
/// of a channel), and <c>g|{graph}|{snapshot}</c> (the snapshot's latest release guard verdict, replaced by the next).
/// An append inserts the next sequence number: two instances deciding on the same history both aim at it, one insert
/// wins, and the other reads the history again and decides again.
/// </summary>
public sealed class TablesReleaseStore(TableStorage storage) : IReleaseStore
{
    private const string Table = "releases";

    public async Task<(SnapshotRecord Snapshot, bool Created)> SaveSnapshotAsync(string tenantId, SnapshotRecord snapshot, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var table = await storage.TableAsync(Table, ct);
        var entity = new TableEntity(TableKeys.Escape(tenantId), SnapshotRow(snapshot.GraphId, snapshot.Id))
        {
            ["Id"] = snapshot.Id,
            ["GraphId"] = snapshot.GraphId,
            ["GraphVersion"] = snapshot.GraphVersion,
            ["ContentHash"] = snapshot.ContentHash,
            ["CreatedBy"] = snapshot.CreatedBy,
            ["CreatedAt"] = snapshot.CreatedAt,
        };
        TableText.Write(entity, "Content", snapshot.Content);
        try
        {
            await table.AddEntityAsync(entity, ct);
            return (snapshot, true);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return ((await GetSnapshotAsync(tenantId, snapshot.GraphId, snapshot.Id, ct))!, false);
        }
    }

    public async Task<SnapshotRecord?> GetSnapshotAsync(string tenantId, string graphId, string snapshotId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(tenantId), SnapshotRow(graphId, snapshotId), cancellationToken: ct);
        return found.HasValue && found.Value is { } entity ? ToSnapshot(entity) : null;
    }

    public async Task<IReadOnlyList<SnapshotRecord>> ListSnapshotsAsync(string tenantId, string graphId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var snapshots = new List<SnapshotRecord>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(TableKeys.Escape(tenantId), $"s|{TableKeys.Escape(graphId)}|"), cancellationToken: ct))
        {
            snapshots.Add(ToSnapshot(entity));
        }

        return [.. snapshots.OrderBy(s => s.CreatedAt, StringComparer.Ordinal).ThenBy(s => s.Id, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<ReleaseEntry>> ListReleasesAsync(string tenantId, string graphId, CancellationToken ct = default) =>
        await ReadHistoryAsync(await storage.TableAsync(Table, ct), tenantId, graphId, ct);

    public async Task<ReleaseEntry?> AppendReleaseAsync(string tenantId, string graphId, Func<IReadOnlyList<ReleaseEntry>, ReleaseEntry?> decide, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(decide);
        var table = await storage.TableAsync(Table, ct);
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
        {
            var history = await ReadHistoryAsync(table, tenantId, graphId, ct);
            if (decide(history) is not { } entry)
            {
                return null;
            }

            entry = entry with { Seq = (history.Count > 0 ? history[0].Seq : 0) + 1 };
            var row = new TableEntity(TableKeys.Escape(tenantId), ReleaseRow(graphId, entry.Seq))
            {
                ["Seq"] = entry.Seq,
                ["Channel"] = entry.Channel,
                ["SnapshotId"] = entry.SnapshotId,
                ["Kind"] = entry.Kind,
                ["Actor"] = entry.Actor,
                ["At"] = entry.At.ToString("O", CultureInfo.InvariantCulture),
            };
            TableText.Set(row, "Previous", entry.Previous);
            TableText.Set(row, "Reason", entry.Reason);
            try
            {
                await table.AddEntityAsync(row, ct);
                return entry;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Another instance appended this sequence number first: decide again on the history it extended.
                await OptimisticRetry.DelayAsync(attempt, ct);
            }
        }

        throw OptimisticRetry.GaveUp($"releasing graph {graphId}");
    }

    public async Task<ShadowConfig?> GetShadowAsync(string tenantId, string graphId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(tenantId), ShadowRow(graphId), cancellationToken: ct);
        return found.HasValue && found.Value is { } e
            ? new ShadowConfig(e.Required("CandidateSnapshotId"), e.GetDouble("Percent") ?? 0, e.GetDouble("Threshold") ?? 0)
            : null;
    }

    public async Task SetShadowAsync(string tenantId, string graphId, ShadowConfig? config, string updatedAt, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        if (config is null)
        {
            try
            {
                await table.DeleteEntityAsync(TableKeys.Escape(tenantId), ShadowRow(graphId), ETag.All, ct);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Off already.
            }

            return;
        }

        await table.UpsertEntityAsync(
            new TableEntity(TableKeys.Escape(tenantId), ShadowRow(graphId))
            {
                ["CandidateSnapshotId"] = config.CandidateSnapshotId,
                ["Percent"] = config.Percent,
                ["Threshold"] = config.Threshold,
                ["UpdatedAt"] = updatedAt,
            },
            TableUpdateMode.Replace,
            ct);
    }

    public async Task AddShadowPairAsync(string tenantId, ShadowPairRecord pair, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var table = await storage.TableAsync(Table, ct);
        var entity = new TableEntity(TableKeys.Escape(tenantId), PairRow(pair))
        {
            ["GraphId"] = pair.GraphId,
            ["PrimaryRunId"] = pair.PrimaryRunId,
            ["ShadowRunId"] = pair.ShadowRunId,
            ["ShadowSnapshotId"] = pair.ShadowSnapshotId,
            ["Threshold"] = pair.Threshold,
            ["CreatedAt"] = pair.CreatedAt,
            ["Scored"] = false,
        };
        TableText.Set(entity, "PrimarySnapshotId", pair.PrimarySnapshotId);
        try
        {
            await table.AddEntityAsync(entity, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Recorded already (a retried start): the first record stands.
        }
    }

    public async Task<IReadOnlyList<ShadowPairRecord>> ListShadowPairsAsync(string tenantId, string graphId, int limit, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var pairs = new List<ShadowPairRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(TableKeys.Escape(tenantId), $"p|{TableKeys.Escape(graphId)}|"), cancellationToken: ct))
        {
            pairs.Add(ToPair(e));
            if (pairs.Count == limit)
            {
                break;
            }
        }

        return pairs;
    }

    public async Task<IReadOnlyList<ShadowPairRecord>> ListUnscoredPairsAsync(string tenantId, int limit, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var partition = TableKeys.Escape(tenantId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {"p|"} and RowKey lt {"p}"} and Scored eq {false}");
        var pairs = new List<ShadowPairRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            pairs.Add(ToPair(e));
        }

        return [.. pairs.OrderBy(p => p.CreatedAt, StringComparer.Ordinal).ThenBy(p => p.PrimaryRunId, StringComparer.Ordinal).Take(limit)];
    }

    public async Task<bool> ScorePairAsync(string tenantId, ShadowPairRecord pair, ShadowScore score, string scoredAt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(score);
        var table = await storage.TableAsync(Table, ct);
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(tenantId), PairRow(pair), cancellationToken: ct);
            if (!found.HasValue || found.Value is not { } entity || entity.GetBoolean("Scored") == true)
            {
                return false;
            }

            entity["Scored"] = true;
            entity["Score"] = score.Score;
            entity["OutputSimilarity"] = score.OutputSimilarity;
            entity["TrajectorySimilarity"] = score.TrajectorySimilarity;
            entity["Flagged"] = score.Flagged;
            entity["ScoredAt"] = scoredAt;
            try
            {
                await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
                return true;
            }
            catch (RequestFailedException ex) when (TableKeys.IsConflict(ex))
            {
                await OptimisticRetry.DelayAsync(attempt, ct);
            }
        }

        throw OptimisticRetry.GaveUp($"scoring shadow pair {pair.PrimaryRunId}");
    }

    private static ShadowPairRecord ToPair(TableEntity e) => new()
    {
        GraphId = e.Required("GraphId"),
        PrimaryRunId = e.Required("PrimaryRunId"),
        ShadowRunId = e.Required("ShadowRunId"),
        PrimarySnapshotId = e.GetString("PrimarySnapshotId"),
        ShadowSnapshotId = e.Required("ShadowSnapshotId"),
        Threshold = e.GetDouble("Threshold") ?? 0,
        CreatedAt = e.Required("CreatedAt"),
        Score = e.GetDouble("Score"),
        OutputSimilarity = e.GetDouble("OutputSimilarity"),
        TrajectorySimilarity = e.GetDouble("TrajectorySimilarity"),
        Flagged = e.GetBoolean("Flagged"),
        ScoredAt = e.GetString("ScoredAt"),
    };

    private static string ShadowRow(string graphId) => $"c|{TableKeys.Escape(graphId)}";

    private static string PairRow(ShadowPairRecord pair) => $"p|{TableKeys.Escape(pair.GraphId)}|{TableKeys.Newest(pair.CreatedAt, pair.PrimaryRunId)}";

    public async Task SaveGuardResultAsync(string tenantId, GuardResultRecord result, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        var table = await storage.TableAsync(Table, ct);
        var entity = new TableEntity(TableKeys.Escape(tenantId), GuardRow(result.GraphId, result.SnapshotId))
        {
            ["GraphId"] = result.GraphId,
            ["SnapshotId"] = result.SnapshotId,
            ["GraphVersion"] = result.GraphVersion,
            ["Environment"] = result.Environment,
            ["Passed"] = result.Passed,
            ["Actor"] = result.Actor,
            ["At"] = result.At,
        };
        TableText.Write(entity, "Result", result.Result);
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
    }

    public async Task<IReadOnlyList<GuardResultRecord>> ListGuardResultsAsync(string tenantId, string graphId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var results = new List<GuardResultRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(TableKeys.Escape(tenantId), $"g|{TableKeys.Escape(graphId)}|"), cancellationToken: ct))
        {
            results.Add(new GuardResultRecord
            {
                GraphId = e.Required("GraphId"),
                SnapshotId = e.Required("SnapshotId"),
                GraphVersion = e.GetInt64("GraphVersion") ?? 0,
                Environment = e.Required("Environment"),
                Passed = e.GetBoolean("Passed") ?? false,
                Result = TableText.Read(e, "Result") ?? "{}",
                Actor = e.Required("Actor"),
                At = e.Required("At"),
            });
        }

        return [.. results.OrderByDescending(r => r.At, StringComparer.Ordinal).ThenBy(r => r.SnapshotId, StringComparer.Ordinal)];
    }

    private static async Task<List<ReleaseEntry>> ReadHistoryAsync(TableClient table, string tenantId, string graphId, CancellationToken ct)
    {
        var entries = new List<ReleaseEntry>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(TableKeys.Escape(tenantId), $"r|{TableKeys.Escape(graphId)}|"), cancellationToken: ct))
        {
            entries.Add(new ReleaseEntry(
                e.GetInt64("Seq") ?? 0,
                e.Required("Channel"),
                e.Required("SnapshotId"),
                e.Required("Kind"),
                e.GetString("Previous"),
                e.Required("Actor"),
                e.GetString("Reason"),
                DateTimeOffset.Parse(e.Required("At"), CultureInfo.InvariantCulture)));
        }

        entries.Reverse();
        return entries;
    }

    private static SnapshotRecord ToSnapshot(TableEntity e) => new()
    {
        Id = e.Required("Id"),
        GraphId = e.Required("GraphId"),
        GraphVersion = e.GetInt64("GraphVersion") ?? 0,
        ContentHash = e.Required("ContentHash"),
        Content = TableText.Read(e, "Content") ?? "{}",
        CreatedBy = e.Required("CreatedBy"),
        CreatedAt = e.Required("CreatedAt"),
    };

    private static string SnapshotRow(string graphId, string snapshotId) => $"s|{TableKeys.Escape(graphId)}|{TableKeys.Escape(snapshotId)}";

    private static string GuardRow(string graphId, string snapshotId) => $"g|{TableKeys.Escape(graphId)}|{TableKeys.Escape(snapshotId)}";

    private static string ReleaseRow(string graphId, long seq) => $"r|{TableKeys.Escape(graphId)}|{TableKeys.Number(seq)}";
}
