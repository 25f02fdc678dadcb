using System.Text.Json;
using Microsoft.Extensions.Logging;
using Warden.Core.Graphs;
using Warden.Core.Releases;
using Warden.Core.Serialization;
using Warden.Runtime.Engine;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Releases;

/// <summary>What the scheduled guard did about one graph's active release.</summary>
public sealed record GuardOutcome(string TenantId, GuardReport Report, bool Notified, string? RolledBackTo, string? Refusal);

/// <summary>
/// The release guard, shared by both hosts: evaluates a snapshot's SLOs (declared in its graph version's <c>slos:</c>)
/// over their window and keeps the snapshot's latest verdict, so "the last snapshot that passed" is known. On a
/// schedule it evaluates every graph's active release; when one breaches it audits <c>release.guard_breached</c> and
/// warns in the log (once per breach: a snapshot that already breached at the previous scheduled check stays quiet), and, when
/// the graph's SLOs say <c>auto_rollback: true</c>, rolls <c>active</c> back to the newest earlier release whose
/// latest verdict passed.
/// </summary>
public sealed partial class ReleaseGuard(
    IReleaseStore releases,
    IGraphStore graphs,
    ITenantDirectory tenants,
    ReleaseMeasurements measurements,
    ReleaseService service,
    IAuditLog audit,
    TimeProvider clock,
    ILogger<ReleaseGuard> logger)
{
    public const string SystemActor = "system:release-guard";

    /// <summary>The environment the scheduled guard records: the channel it watches.</summary>
    public const string ScheduledEnvironment = ReleaseHistory.Active;

    /// <summary>Evaluates a snapshot (given, or taken now of a version) and records the verdict.</summary>
    /// <exception cref="NotFoundException">No such graph, version or snapshot for the tenant.</exception>
    public async Task<GuardReport> EvaluateAsync(string tenantId, string graphId, string? snapshotId, long? version, string environment, string actor, CancellationToken ct)
    {
        var snapshot = snapshotId is not null
            ? await releases.GetSnapshotAsync(tenantId, graphId, snapshotId, ct) ?? throw new NotFoundException($"graph '{graphId}' has no snapshot '{snapshotId}'")
            : (await service.SnapshotAsync(tenantId, graphId, version, actor, ct)).Snapshot;
        var (report, _) = await EvaluateAndRecordAsync(tenantId, snapshot, environment, actor, ct);
        return report;
    }

    /// <summary>One pass over every tenant's graphs with an active release and SLOs; what it found and did.</summary>
    public async Task<IReadOnlyList<GuardOutcome>> CheckActiveReleasesAsync(CancellationToken ct = default)
    {
        var outcomes = new List<GuardOutcome>();
        foreach (var tenantId in await tenants.ListTenantIdsAsync(ct))
        {
            foreach (var graph in await graphs.ListAsync(tenantId, ct))
            {
                try
                {
                    if (await CheckAsync(tenantId, graph.Id, ct) is { } outcome)
                    {
                        outcomes.Add(outcome);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One graph's trouble (a store hiccup, an unreadable version) must not keep the others unguarded.
                    LogCheckFailed(logger, ex, tenantId, graph.Id);
                }
            }
        }

        return outcomes;
    }

    private async Task<GuardOutcome?> CheckAsync(string tenantId, string graphId, CancellationToken ct)
    {
        var history = await releases.ListReleasesAsync(tenantId, graphId, ct);
        if (ReleaseHistory.Current(history, ReleaseHistory.Active) is not { } activeId
            || await releases.GetSnapshotAsync(tenantId, graphId, activeId, ct) is not { } active)
        {
            return null;
        }

        var (report, previous) = await EvaluateAndRecordAsync(tenantId, active, ScheduledEnvironment, SystemActor, ct);
        if (report.Slos is null)
        {
            return null;
        }

        if (report.Passed)
        {
            LogHeld(logger, tenantId, graphId, report.GraphVersion, activeId);
            return new GuardOutcome(tenantId, report, false, null, null);
        }

        if (previous is { Passed: false, Actor: SystemActor })
        {
            // Still breaching since the last scheduled check, which already audited and notified (and could not roll back).
            return new GuardOutcome(tenantId, report, false, null, null);
        }

        LogBreached(logger, tenantId, graphId, report.GraphVersion, activeId, report.Summary);
        string? rolledBackTo = null, refusal = null;
        if (!report.Slos.AutoRollback)
        {
            refusal = "auto_rollback is off for this graph";
        }
        else if (await LastPassingAsync(tenantId, graphId, history, activeId, ct) is not { } target)
        {
            refusal = "no earlier release of this graph passed the guard";
        }
        else
        {
            try
            {
                var entry = await service.RollbackAsync(tenantId, graphId, target, SystemActor, $"release guard: {report.Summary}", ct);
                rolledBackTo = entry.SnapshotId;
            }
            catch (ReleaseRefusedException ex)
            {
                refusal = ex.Message;
            }
        }

        var targetVersion = rolledBackTo is null ? null : (await releases.GetSnapshotAsync(tenantId, graphId, rolledBackTo, ct))?.GraphVersion;
        await audit.AppendAsync(tenantId, SystemActor, "release.guard_breached", graphId, new
        {
            graph_id = graphId,
            snapshot_id = activeId,
            graph_version = report.GraphVersion,
            summary = report.Summary,
            rolled_back_to = rolledBackTo,
            refusal,
            guard = report.ToWire(),
        }, CancellationToken.None);
        if (rolledBackTo is not null)
        {
            await audit.AppendAsync(tenantId, SystemActor, "release.rolled_back", graphId, new { graph_id = graphId, snapshot_id = rolledBackTo, graph_version = targetVersion, reason = $"release guard: {report.Summary}" }, CancellationToken.None);
            LogRolledBack(logger, tenantId, graphId, activeId, rolledBackTo, targetVersion ?? 0);
        }
        else
        {
            LogNotRolledBack(logger, tenantId, graphId, activeId, refusal!);
        }

        return new GuardOutcome(tenantId, report, true, rolledBackTo, refusal);
    }

    /// <summary>The newest snapshot <c>active</c> pointed at before, other than the breaching one, whose latest verdict passed.</summary>
    private async Task<string?> LastPassingAsync(string tenantId, string graphId, IReadOnlyList<ReleaseEntry> history, string breaching, CancellationToken ct)
    {
        var verdicts = (await releases.ListGuardResultsAsync(tenantId, graphId, ct)).ToDictionary(r => r.SnapshotId, r => r.Passed, StringComparer.Ordinal);
        return history
            .Where(e => e.Channel == ReleaseHistory.Active && e.SnapshotId != breaching)
            .Select(e => e.SnapshotId)
            .FirstOrDefault(id => verdicts.GetValueOrDefault(id));
    }

    /// <returns>The report, and the snapshot's verdict before this one.</returns>
    private async Task<(GuardReport Report, GuardResultRecord? Previous)> EvaluateAndRecordAsync(string tenantId, SnapshotRecord snapshot, string environment, string actor, CancellationToken ct)
    {
        var until = clock.GetUtcNow();
        var version = await graphs.GetVersionAsync(tenantId, snapshot.GraphId, snapshot.GraphVersion, ct)
            ?? throw new NotFoundException($"graph '{snapshot.GraphId}' has no version {snapshot.GraphVersion}");
        var slos = GraphParser.Parse(version.Source).Slos;
        var since = until - (slos?.Window ?? SloSettings.DefaultWindow);
        var verdict = slos is null
            ? new GuardVerdict(true, [])
            : SloEvaluator.Evaluate(slos, await measurements.MeasureAsync(tenantId, snapshot, slos, since, until, ct));
        var report = new GuardReport(snapshot.GraphId, snapshot.Id, snapshot.GraphVersion, environment, slos, since, until, verdict);
        var previous = (await releases.ListGuardResultsAsync(tenantId, snapshot.GraphId, ct)).FirstOrDefault(r => r.SnapshotId == snapshot.Id);
        await releases.SaveGuardResultAsync(
            tenantId,
            new GuardResultRecord
            {
                GraphId = snapshot.GraphId,
                SnapshotId = snapshot.Id,
                GraphVersion = snapshot.GraphVersion,
                Environment = environment,
                Passed = report.Passed,
                Result = JsonSerializer.Serialize(report.ToWire(), WardenJson.Options),
                Actor = actor,
                At = until.ToString("O"),
            },
            CancellationToken.None);
        return (report, previous);
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Release guard: {TenantId}/{GraphId} v{GraphVersion} ({SnapshotId}) holds its SLOs")]
    private static partial void LogHeld(ILogger logger, string tenantId, string graphId, long graphVersion, string snapshotId);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Release guard: {TenantId}/{GraphId} v{GraphVersion} ({SnapshotId}) breached its SLOs: {Summary}")]
    private static partial void LogBreached(ILogger logger, string tenantId, string graphId, long graphVersion, string snapshotId, string summary);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Release guard: rolled {TenantId}/{GraphId} back from {From} to {To} (v{GraphVersion})")]
    private static partial void LogRolledBack(ILogger logger, string tenantId, string graphId, string from, string to, long graphVersion);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Release guard: {TenantId}/{GraphId} stays on {SnapshotId}: {Reason}")]
    private static partial void LogNotRolledBack(ILogger logger, string tenantId, string graphId, string snapshotId, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Release guard: checking {TenantId}/{GraphId} failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string tenantId, string graphId);
}
