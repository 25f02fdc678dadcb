using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Warden.Core.Releases;
using Warden.Core.Runs;
using Warden.Runtime.Diff;
using Warden.Runtime.Engine;
using Warden.Runtime.Storage;
using Warden.Runtime.Telemetry;

namespace Warden.Runtime.Releases;

/// <summary>
/// Shadow runs, shared by both hosts: a sampled share of a graph's active runs also starts a run of the candidate
/// snapshot on the same input and seed (its write and external tools are dry runs); once both have ended the pair is
/// scored (<see cref="ShadowDivergence"/>), and a pair below the threshold is flagged: an audit row, a metric and a warning.
/// </summary>
public sealed partial class ShadowService(IReleaseStore releases, IRunStore runs, IRunEngine engine, IAuditLog audit, TimeProvider clock, ILogger<ShadowService> logger) : IShadowScores
{
    public const string ShadowOfTag = "shadow_of";
    private const string Actor = "system:shadow";

    /// <summary>Whether the graph is shadowed at all: callers fix the run's seed first, so both runs draw the same.</summary>
    public Task<ShadowConfig?> ConfigAsync(string tenantId, string graphId, CancellationToken ct) => releases.GetShadowAsync(tenantId, graphId, ct);

    /// <summary>Starts the shadow of a primary run of the active release when the run id is sampled; returns the shadow's id.</summary>
    public async Task<string?> MaybeShadowAsync(ShadowConfig config, StartRunRequest primary, string primaryRunId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(primary);
        if (!ShadowSampling.Sampled(primaryRunId, config.Percent)
            || await releases.GetSnapshotAsync(primary.TenantId, primary.GraphId, config.CandidateSnapshotId, ct) is not { } candidate
            || candidate.Id == primary.SnapshotId)
        {
            return null;
        }

        var tags = new Dictionary<string, string>(primary.Options?.Tags ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [ShadowOfTag] = primaryRunId };
        var options = new RunOptions(Mocks: primary.Options?.Mocks, Tags: tags, Shadow: new ShadowSettings(primaryRunId));
        var shadow = await engine.StartRunAsync(primary with { Version = candidate.GraphVersion, SnapshotId = candidate.Id, Options = options }, ct);
        await releases.AddShadowPairAsync(
            primary.TenantId,
            new ShadowPairRecord
            {
                GraphId = primary.GraphId,
                PrimaryRunId = primaryRunId,
                ShadowRunId = shadow.RunId,
                PrimarySnapshotId = primary.SnapshotId,
                ShadowSnapshotId = candidate.Id,
                Threshold = config.Threshold,
                CreatedAt = clock.GetUtcNow().ToString("O"),
            },
            ct);
        await audit.AppendAsync(primary.TenantId, Actor, "shadow.started", shadow.RunId, new { graph_id = primary.GraphId, primary_run_id = primaryRunId, shadow_run_id = shadow.RunId, snapshot_id = candidate.Id }, ct);
        return shadow.RunId;
    }

    /// <summary>Scores the tenant's pairs whose two runs have both ended; returns how many it scored.</summary>
    public async Task<int> ScorePendingAsync(string tenantId, CancellationToken ct)
    {
        var scored = 0;
        foreach (var pair in await releases.ListUnscoredPairsAsync(tenantId, 200, ct))
        {
            var primary = await RunTrace.LoadAsync(runs, tenantId, pair.PrimaryRunId, ct);
            var shadow = await RunTrace.LoadAsync(runs, tenantId, pair.ShadowRunId, ct);
            if (primary is null || shadow is null || !Ended(primary.Run.Status) || !Ended(shadow.Run.Status))
            {
                continue;
            }

            var score = ShadowDivergence.Score(primary.Run.Status, primary.Run.Output, primary.Path(), shadow.Run.Status, shadow.Run.Output, shadow.Path(), pair.Threshold);
            if (!await releases.ScorePairAsync(tenantId, pair, score, clock.GetUtcNow().ToString("O"), ct))
            {
                continue;
            }

            scored++;
            WardenTelemetry.ShadowPairs.Add(1, new TagList { { "graph", pair.GraphId }, { "flagged", score.Flagged } });
            if (score.Flagged)
            {
                LogDiverged(logger, tenantId, pair.GraphId, pair.PrimaryRunId, pair.ShadowRunId, score.Score, pair.Threshold);
                await audit.AppendAsync(tenantId, Actor, "shadow.diverged", pair.ShadowRunId, new
                {
                    graph_id = pair.GraphId,
                    primary_run_id = pair.PrimaryRunId,
                    shadow_run_id = pair.ShadowRunId,
                    snapshot_id = pair.ShadowSnapshotId,
                    score = score.Score,
                    output_similarity = score.OutputSimilarity,
                    trajectory_similarity = score.TrajectorySimilarity,
                    threshold = pair.Threshold,
                },
                ct);
            }
        }

        return scored;
    }

    public async Task<IReadOnlyList<double>> ScoresAsync(string tenantId, string graphId, string? shadowSnapshotId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default)
    {
        var pairs = await releases.ListShadowPairsAsync(tenantId, graphId, 10_000, ct);
        return [.. pairs
            .Where(p => p.Score is not null && p.ScoredAt is not null && (shadowSnapshotId is null || p.ShadowSnapshotId == shadowSnapshotId))
            .Where(p => DateTimeOffset.Parse(p.ScoredAt!, System.Globalization.CultureInfo.InvariantCulture) is var at && at >= since && at < until)
            .Select(p => p.Score!.Value)];
    }

    private static bool Ended(string status) => status is "completed" or "failed" or "stopped";

    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning, Message = "Shadow divergence: tenant {TenantId} graph {GraphId}: run {PrimaryRunId} and its shadow {ShadowRunId} scored {Score} (threshold {Threshold})")]
    private static partial void LogDiverged(ILogger logger, string tenantId, string graphId, string primaryRunId, string shadowRunId, double score, double threshold);
}
