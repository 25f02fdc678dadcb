using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Warden.Core.Releases;
using Warden.Runtime.Releases;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Api;

public sealed partial class WardenApi
{
    /// <summary>GET /api/v1/graphs/{graphId}/snapshots — every snapshot of the graph, oldest first, with the channels that point at it.</summary>
    public Task<IResult> ListSnapshotsAsync(HttpContext http, string graphId) => GuardAsync(http, Roles.Any, async caller =>
    {
        await RequireGraphAsync(caller, graphId, http.RequestAborted);
        var store = services.GetRequiredService<IReleaseStore>();
        var snapshots = await store.ListSnapshotsAsync(caller.TenantId, graphId, http.RequestAborted);
        var history = await store.ListReleasesAsync(caller.TenantId, graphId, http.RequestAborted);
        return Json(new { items = snapshots.Select(s => Responses.Snapshot(s, ChannelsOf(history, s.Id))) });
    });

    /// <summary>POST /api/v1/graphs/{graphId}/snapshots {version?} — freezes a version with the catalogue as it is now (201, or 200 when unchanged).</summary>
    public Task<IResult> CreateSnapshotAsync(HttpContext http, string graphId) => GuardAsync(http, Roles.ManageReleases, async caller =>
    {
        var body = await ReadJsonObjectAsync(http, required: false);
        var version = OptionalLong(body, "version", 1, int.MaxValue);
        var (snapshot, created) = await services.GetRequiredService<ReleaseService>().SnapshotAsync(caller.TenantId, graphId, version, caller.Actor, http.RequestAborted);
        if (created)
        {
            await audit.AppendAsync(caller.TenantId, caller.Actor, "snapshot.created", graphId, new { graph_id = graphId, snapshot_id = snapshot.Id, graph_version = snapshot.GraphVersion, content_hash = snapshot.ContentHash });
        }

        return Json(Responses.Snapshot(snapshot, []), created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    });

    /// <summary>GET /api/v1/graphs/{graphId}/releases — where each channel points and the history of moves, newest first.</summary>
    public Task<IResult> ListReleasesAsync(HttpContext http, string graphId) => GuardAsync(http, Roles.Any, async caller =>
    {
        await RequireGraphAsync(caller, graphId, http.RequestAborted);
        var history = await services.GetRequiredService<IReleaseStore>().ListReleasesAsync(caller.TenantId, graphId, http.RequestAborted);
        return Json(new
        {
            graph_id = graphId,
            channels = ReleaseHistory.Channels.ToDictionary(c => c, c => ReleaseHistory.Current(history, c)),
            history = history.Select(Responses.Release),
        });
    });

    /// <summary>POST /api/v1/graphs/{graphId}/releases {snapshot | version, channel, reason?} — points a channel at a snapshot (201; 200 when it already did).</summary>
    public Task<IResult> CreateReleaseAsync(HttpContext http, string graphId) => GuardAsync(http, Roles.ManageReleases, async caller =>
    {
        var body = await ReadJsonObjectAsync(http, required: true);
        var channel = OptionalString(body, "channel") ?? throw ApiException.BadRequest($"channel is required: one of {string.Join(", ", ReleaseHistory.Channels)}");
        if (!ReleaseHistory.IsChannel(channel))
        {
            throw ApiException.BadRequest($"channel must be one of {string.Join(", ", ReleaseHistory.Channels)}");
        }

        var snapshotId = OptionalString(body, "snapshot");
        var version = OptionalLong(body, "version", 1, int.MaxValue);
        if ((snapshotId is null) == (version is null))
        {
            throw ApiException.BadRequest("give exactly one of snapshot (a snapshot id) or version (a graph version)");
        }

        var (entry, snapshot) = await services.GetRequiredService<ReleaseService>().ReleaseAsync(
            caller.TenantId, graphId, snapshotId, version, channel, caller.Actor, OptionalString(body, "reason"), http.RequestAborted);
        if (entry is null)
        {
            return Json(new { graph_id = graphId, channel, snapshot_id = snapshot.Id, graph_version = snapshot.GraphVersion, changed = false });
        }

        await audit.AppendAsync(caller.TenantId, caller.Actor, "release.created", graphId, new { graph_id = graphId, channel, snapshot_id = snapshot.Id, graph_version = snapshot.GraphVersion, previous = entry.Previous, entry.Reason });
        return Json(new { graph_id = graphId, channel, snapshot_id = snapshot.Id, graph_version = snapshot.GraphVersion, changed = true, release = Responses.Release(entry) }, StatusCodes.Status201Created);
    });

    /// <summary>POST /api/v1/graphs/{graphId}/rollback {to?, reason?} — moves active back at once; 409 when there is nothing to go back to.</summary>
    public Task<IResult> RollbackAsync(HttpContext http, string graphId) => GuardAsync(http, Roles.ManageReleases, async caller =>
    {
        var body = await ReadJsonObjectAsync(http, required: false);
        await RequireGraphAsync(caller, graphId, http.RequestAborted);
        ReleaseEntry entry;
        try
        {
            entry = await services.GetRequiredService<ReleaseService>().RollbackAsync(
                caller.TenantId, graphId, OptionalString(body, "to"), caller.Actor, OptionalString(body, "reason"), http.RequestAborted);
        }
        catch (ReleaseRefusedException ex)
        {
            throw ApiException.Conflict("NOTHING_TO_ROLL_BACK", ex.Message);
        }

        var snapshot = await services.GetRequiredService<IReleaseStore>().GetSnapshotAsync(caller.TenantId, graphId, entry.SnapshotId, http.RequestAborted);
        await audit.AppendAsync(caller.TenantId, caller.Actor, "release.rolled_back", graphId, new { graph_id = graphId, snapshot_id = entry.SnapshotId, graph_version = snapshot?.GraphVersion, entry.Reason });
        return Json(new { graph_id = graphId, channel = entry.Channel, snapshot_id = entry.SnapshotId, graph_version = snapshot?.GraphVersion, release = Responses.Release(entry) });
    });

    /// <summary>POST /api/v1/releases/guard {graph, snapshot | version, environment} — every SLO of the snapshot: pass or fail, measured, objective, budget left.</summary>
    public Task<IResult> EvaluateGuardAsync(HttpContext http) => GuardAsync(http, Roles.GuardReleases, async caller =>
    {
        var body = await ReadJsonObjectAsync(http, required: true);
        var graphId = OptionalString(body, "graph") ?? throw ApiException.BadRequest("graph is required: the graph's id");
        var environment = OptionalString(body, "environment") ?? throw ApiException.BadRequest("environment is required: where the snapshot is to run, e.g. staging or prod");
        var snapshotId = OptionalString(body, "snapshot");
        var version = OptionalLong(body, "version", 1, int.MaxValue);
        if ((snapshotId is null) == (version is null))
        {
            throw ApiException.BadRequest("give exactly one of snapshot (a snapshot id) or version (a graph version)");
        }

        await RequireGraphAsync(caller, graphId, http.RequestAborted);
        var report = await services.GetRequiredService<ReleaseGuard>().EvaluateAsync(caller.TenantId, graphId, snapshotId, version, environment, caller.Actor, http.RequestAborted);
        await audit.AppendAsync(caller.TenantId, caller.Actor, "release.guard_evaluated", graphId, new { graph_id = graphId, snapshot_id = report.SnapshotId, graph_version = report.GraphVersion, environment, passed = report.Passed, summary = report.Summary });
        return Json(report.ToWire());
    });

    private async Task RequireGraphAsync(ApiCaller caller, string graphId, CancellationToken ct)
    {
        if (await graphs.GetAsync(caller.TenantId, graphId, ct) is null)
        {
            throw ApiException.NotFound($"graph '{graphId}' not found");
        }
    }

    private static string[] ChannelsOf(IReadOnlyList<ReleaseEntry> history, string snapshotId) =>
        [.. ReleaseHistory.Channels.Where(c => ReleaseHistory.Current(history, c) == snapshotId)];
}
