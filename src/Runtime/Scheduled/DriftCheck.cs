using System.Globalization;
using Microsoft.Extensions.Logging;
using Warden.Core.Releases;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Scheduled;

/// <summary>One graph's last hour against the day before it.</summary>
public sealed record GraphDrift(string TenantId, string GraphId, DriftReport Report);

/// <summary>
/// The drift check a host runs on a schedule (the timer trigger on Functions): for every graph of every tenant it
/// compares the runs that ended in the last hour with those of the 24 hours before (<see cref="DriftEvaluator"/>). A
/// drifted graph gets a warning in the log and a <c>graph.drifted</c> audit row naming each drifted measure.
/// </summary>
public sealed partial class DriftCheck(ITenantDirectory tenants, IGraphStore graphs, IRunStore runs, IAuditLog audit, TimeProvider clock, ILogger<DriftCheck> logger)
{
    public const string Actor = "system:drift-check";

    public static readonly TimeSpan Recent = TimeSpan.FromHours(1);

    public static readonly TimeSpan Baseline = TimeSpan.FromHours(24);

    private const int PageSize = 200;

    /// <summary>At most this many runs are read per window, newest first.</summary>
    private const int MaxRunsPerWindow = 2000;

    public async Task<IReadOnlyList<GraphDrift>> RunAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var results = new List<GraphDrift>();
        foreach (var tenant in await tenants.ListTenantIdsAsync(ct))
        {
            foreach (var graph in await graphs.ListAsync(tenant, ct))
            {
                var recent = await SamplesAsync(tenant, graph.Id, now - Recent, now, ct);
                var baseline = await SamplesAsync(tenant, graph.Id, now - Recent - Baseline, now - Recent, ct);
                var report = DriftEvaluator.Compare(baseline, recent);
                if (report.Drifted)
                {
                    var drifted = report.Metrics.Where(m => m.Drifted).ToList();
                    LogDrifted(logger, tenant, graph.Id, string.Join(", ", drifted.Select(m => $"{m.Name} {m.Baseline.ToString(CultureInfo.InvariantCulture)} -> {m.Recent.ToString(CultureInfo.InvariantCulture)}")));
                    await audit.AppendAsync(tenant, Actor, "graph.drifted", graph.Id, new { graph_id = graph.Id, baseline_runs = report.BaselineRuns, recent_runs = report.RecentRuns, metrics = drifted }, ct);
                }
                else
                {
                    LogSteady(logger, tenant, graph.Id, report.RecentRuns, report.NoData ?? "no measure drifted");
                }

                results.Add(new GraphDrift(tenant, graph.Id, report));
            }
        }

        return results;
    }

    private async Task<List<DriftSample>> SamplesAsync(string tenantId, string graphId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct)
    {
        var samples = new List<DriftSample>();
        string? cursor = null;
        do
        {
            var page = await runs.ListAsync(tenantId, new RunQuery(GraphId: graphId, Limit: PageSize, Cursor: cursor, Since: since, Until: until), ct);
            foreach (var run in page.Items.Where(r => r.Status is "completed" or "failed" && r.EndedAt is not null))
            {
                var duration = DateTimeOffset.Parse(run.EndedAt!, CultureInfo.InvariantCulture) - DateTimeOffset.Parse(run.CreatedAt, CultureInfo.InvariantCulture);
                var cost = decimal.TryParse(run.CostUsd, NumberStyles.Number, CultureInfo.InvariantCulture, out var usd) ? usd : 0m;
                samples.Add(new DriftSample(run.Status == "completed", duration < TimeSpan.Zero ? TimeSpan.Zero : duration, cost, run.Output ?? string.Empty));
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null && samples.Count < MaxRunsPerWindow);

        return samples;
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Drift check: tenant {TenantId} graph {GraphId}: {Runs} runs in the last hour, {Verdict}")]
    private static partial void LogSteady(ILogger logger, string tenantId, string graphId, int runs, string verdict);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Drift check: tenant {TenantId} graph {GraphId} drifted against the day before: {Metrics}")]
    private static partial void LogDrifted(ILogger logger, string tenantId, string graphId, string metrics);
}
