using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Warden.Core.Graphs;
using Warden.Core.Releases;
using Warden.Core.Runs;
using Warden.Core.Serialization;
using Warden.Runtime.Engine;
using Warden.Runtime.Releases;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Api;

public sealed partial class WardenApi
{
    private const int MaxWaitSeconds = 120;
    private static readonly string[] RunStatuses = Enum.GetNames<RunStatus>().Select(n => n.ToLowerInvariant()).ToArray();

    /// <summary>POST /api/v1/graphs/{graphId}/runs — 202 with a Location, or 200 with the result when it finished within wait_seconds.</summary>
    public Task<IResult> StartRunAsync(HttpContext http, string graphId) => GuardAsync(http, Roles.StartRuns, async caller =>
    {
        var body = await ReadJsonObjectAsync(http, required: false);
        var input = body.TryGetProperty("input", out var inputElement) ? inputElement.GetRawText() : "{}";
        var version = OptionalLong(body, "version", 1, int.MaxValue);
        var wait = OptionalLong(body, "wait_seconds", 0, MaxWaitSeconds);
        var seed = OptionalLong(body, "seed", 0, long.MaxValue);
        var channel = OptionalString(body, "channel");
        if (channel is not null && (!ReleaseHistory.IsChannel(channel) || version is not null))
        {
            throw ApiException.BadRequest(version is not null
                ? "give either version or channel, not both"
                : $"channel must be one of {string.Join(", ", ReleaseHistory.Channels)}");
        }

        var options = RunOptionsJson.Read(body);
        AllowChaos(caller, options.Chaos);
        if (options.Ungoverned && caller.Role != Roles.Admin)
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "FORBIDDEN", $"an ungoverned run (no PII, injection or tool-policy screening) needs the admin role; role '{caller.Role}' may not start one");
        }
        var release = await services.GetRequiredService<ReleaseService>().ResolveAsync(caller.TenantId, graphId, version, channel, caller.Actor, http.RequestAborted);
        if (!options.IsEmpty && await graphs.GetVersionAsync(caller.TenantId, graphId, release.Version, http.RequestAborted) is { } graph)
        {
            RunOptionsJson.CheckAgainst(options, GraphParser.Parse(graph.Source));
        }

        // A run of the active release may be shadowed by the candidate: both draw from one seed, so they are comparable.
        var shadows = services.GetRequiredService<ShadowService>();
        var shadowing = release.Channel == ReleaseHistory.Active ? await shadows.ConfigAsync(caller.TenantId, graphId, http.RequestAborted) : null;
        if (shadowing is not null)
        {
            seed ??= RandomNumberGenerator.GetInt32(int.MaxValue);
        }

        await RequireRecordingAsync(caller.TenantId, options.Replay, http.RequestAborted);
        var request = new StartRunRequest(caller.TenantId, graphId, release.Version, input, seed, options.IsEmpty ? null : options, release.SnapshotId);
        var started = await engine.StartRunAsync(request, http.RequestAborted);
        var shadowRunId = shadowing is null ? null : await shadows.MaybeShadowAsync(shadowing, request, started.RunId, http.RequestAborted);
        await audit.AppendAsync(caller.TenantId, caller.Actor, "run.started", started.RunId, new { started.GraphId, started.GraphVersion, snapshot_id = release.SnapshotId, release.Channel, input, seed, options = options.IsEmpty ? null : options });
        if (options.Ungoverned)
        {
            await audit.AppendAsync(caller.TenantId, caller.Actor, "run.ungoverned", started.RunId, new { started.GraphId, started.GraphVersion });
        }

        if (options.Chaos is { } chaos)
        {
            await audit.AppendAsync(caller.TenantId, caller.Actor, "run.chaos", started.RunId, new { started.GraphId, chaos });
        }

        var location = $"/api/v1/runs/{started.RunId}";
        http.Response.Headers.Location = location;
        if (wait is > 0)
        {
            var deadline = clock.GetUtcNow().AddSeconds(wait.Value);
            while (true)
            {
                var run = await runs.GetAsync(caller.TenantId, started.RunId, http.RequestAborted);
                if (run is not null && IsTerminal(run.Status))
                {
                    if (shadowRunId is null)
                    {
                        return Json(Responses.Run(run));
                    }

                    var reply = JsonSerializer.SerializeToNode(Responses.Run(run), WardenJson.Options)!;
                    reply["shadow_run_id"] = shadowRunId;
                    return Json(reply);
                }

                var left = deadline - clock.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                await engine.WaitForChangeAsync(started.RunId, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), http.RequestAborted);
            }
        }

        return Json(
            new
            {
                run_id = started.RunId,
                graph_id = started.GraphId,
                graph_version = started.GraphVersion,
                snapshot_id = release.SnapshotId,
                shadow_run_id = shadowRunId,
                status = started.Status,
                links = new { self = location, events = location + "/events", stream = location + "/stream" },
            },
            StatusCodes.Status202Accepted);
    });

    /// <summary>
    /// Chaos needs the operator or admin role, and a crash only an engine whose process opted in to being killed
    /// (the `warden serve` that `warden test` starts); anywhere else the request is refused before the run exists.
    /// </summary>
    private void AllowChaos(ApiCaller caller, Core.Runs.ChaosSettings? chaos)
    {
        if (chaos is null)
        {
            return;
        }

        if (!Roles.InjectChaos.Contains(caller.Role))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "FORBIDDEN", $"chaos needs the {string.Join(" or ", Roles.InjectChaos)} role; role '{caller.Role}' may not inject faults");
        }

        if (chaos.CrashAfterSteps is not null && engine.CrashRefusal is { } refusal)
        {
            throw ApiException.BadRequest($"chaos.crash_after_steps refused: {refusal}");
        }
    }

    public Task<IResult> ListRunsAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
    {
        var q = http.Request.Query;
        var status = q["status"].ToString() is { Length: > 0 } s ? s.ToLowerInvariant() : null;
        if (status is not null && !RunStatuses.Contains(status))
        {
            throw ApiException.BadRequest($"status must be one of {string.Join(", ", RunStatuses)}");
        }

        var limit = ParseLimit(q["limit"].ToString(), 50, 200);
        var (since, until) = q.ContainsKey("from") || q.ContainsKey("to") ? TimeRange(http) : ((DateTimeOffset?)null, (DateTimeOffset?)null);
        var page = await runs.ListAsync(
            caller.TenantId,
            new RunQuery(
                q["graph_id"].ToString() is { Length: > 0 } g ? g : null,
                status,
                limit,
                q["cursor"].ToString() is { Length: > 0 } c ? c : null,
                since,
                until,
                q["agent"].ToString() is { Length: > 0 } a ? a : null),
            http.RequestAborted);
        return Json(new { items = page.Items.Select(Responses.RunSummary), next_cursor = page.NextCursor });
    });

    public Task<IResult> GetRunAsync(HttpContext http, string runId) => GuardAsync(http, Roles.Any, async caller =>
        Json(Responses.Run(await RequireRunAsync(caller, runId, http))));

    public Task<IResult> ListRunEventsAsync(HttpContext http, string runId) => GuardAsync(http, Roles.Any, async caller =>
    {
        await RequireRunAsync(caller, runId, http);
        var after = ParseLong(http.Request.Query["after"].ToString(), "after") ?? 0;
        var limit = ParseLimit(http.Request.Query["limit"].ToString(), 100, 1000);
        var events = await runs.ListEventsAsync(caller.TenantId, runId, after, limit, http.RequestAborted);
        return Json(new { items = events.Select(Responses.Event), next_after = events.Count == limit ? events[^1].Seq : (long?)null });
    });

    /// <summary>POST /api/v1/runs/{runId}/control — pause, resume or stop; 409 when the run cannot do that now.</summary>
    public Task<IResult> ControlRunAsync(HttpContext http, string runId) => GuardAsync(http, Roles.ControlRuns, async caller =>
    {
        var body = await ReadJsonObjectAsync(http);
        var action = OptionalString(body, "action") ?? throw ApiException.BadRequest("'action' is required: pause, resume or stop");
        var kind = action.ToLowerInvariant() switch
        {
            "pause" => SignalKind.Pause,
            "resume" => SignalKind.Resume,
            "stop" => SignalKind.Stop,
            _ => throw ApiException.BadRequest($"unknown action '{action}'; use pause, resume or stop"),
        };
        var result = await engine.SignalAsync(caller.TenantId, runId, new SignalReceived(kind, caller.Actor, Comment: OptionalString(body, "comment")), http.RequestAborted);
        if (result.Status == SignalStatus.Applied)
        {
            await audit.AppendAsync(caller.TenantId, caller.Actor, "run.controlled", runId, new { kind, comment = OptionalString(body, "comment") });
        }

        return SignalOutcome(result, runId);
    });

    private static IResult SignalOutcome(SignalResult result, string runId) => result.Status switch
    {
        SignalStatus.NotFound => Error(StatusCodes.Status404NotFound, "NOT_FOUND", $"run '{runId}' not found"),
        SignalStatus.Rejected => Error(StatusCodes.Status409Conflict, result.Rejection!.Code, result.Rejection.Message),
        _ => Json(new { run_id = runId, status = result.RunStatus }),
    };

    private async Task<RunRecord> RequireRunAsync(ApiCaller caller, string runId, HttpContext http) =>
        await runs.GetAsync(caller.TenantId, runId, http.RequestAborted) ?? throw ApiException.NotFound($"run '{runId}' not found");

    private static bool IsTerminal(string status) => status is "completed" or "failed" or "stopped";

    private static int ParseLimit(string text, int fallback, int max) =>
        text.Length == 0 ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max ? n
        : throw ApiException.BadRequest($"limit must be a whole number from 1 to {max}");

    private static long? ParseLong(string text, string name) =>
        text.Length == 0 ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw ApiException.BadRequest($"{name} must be a whole number");

    /// <summary>GET /api/v1/runs/{runId}/stream — the timeline as Server-Sent Events, live until the run ends.</summary>
    public async Task StreamRunAsync(HttpContext http, string runId)
    {
        ApiCaller caller;
        try
        {
            caller = await AuthenticateAsync(http);
            if (await LimitAsync(http, caller) is { } limited)
            {
                await limited.ExecuteAsync(http);
                return;
            }

            await RequireRunAsync(caller, runId, http);
        }
        catch (ApiException ex)
        {
            await Error(ex.Status, ex.Code, ex.Message).ExecuteAsync(http);
            return;
        }

        var ct = http.RequestAborted;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var after = ParseLong(http.Request.Headers["Last-Event-ID"].ToString(), "Last-Event-ID") ?? ParseLong(http.Request.Query["after"].ToString(), "after") ?? 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var events = await runs.ListEventsAsync(caller.TenantId, runId, after, 500, ct);
                foreach (var e in events)
                {
                    await http.Response.WriteAsync($"id: {e.Seq}\nevent: {e.Type}\ndata: {JsonSerializer.Serialize(Responses.Event(e), WardenJson.Options)}\n\n", ct);
                    after = e.Seq;
                }

                if (events.Count > 0)
                {
                    await http.Response.Body.FlushAsync(ct);
                    continue;
                }

                var run = await runs.GetAsync(caller.TenantId, runId, ct);
                if (run is null || IsTerminal(run.Status))
                {
                    await http.Response.WriteAsync($"event: end\ndata: {{\"status\":\"{run?.Status}\"}}\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    return;
                }

                await engine.WaitForChangeAsync(runId, TimeSpan.FromSeconds(1), ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
    }

    /// <summary>
    /// GET /api/v1/stream — the tenant's live oversight stream: every run's timeline (steps, approvals, policy blocks,
    /// budget kills) as Server-Sent Events, resumable with Last-Event-ID. Viewer and above.
    /// </summary>
    public async Task StreamTenantAsync(HttpContext http)
    {
        ApiCaller caller;
        try
        {
            caller = await AuthenticateAsync(http);
            if (await LimitAsync(http, caller) is { } limited)
            {
                await limited.ExecuteAsync(http);
                return;
            }
        }
        catch (ApiException ex)
        {
            await Error(ex.Status, ex.Code, ex.Message).ExecuteAsync(http);
            return;
        }

        var ct = http.RequestAborted;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var position = TimelinePosition.Decode(http.Request.Headers["Last-Event-ID"].ToString())
            ?? (http.Request.Query["from"].ToString() == "start" ? TimelinePosition.Start : new TimelinePosition(clock.GetUtcNow().ToString("O"), string.Empty, 0));
        var idleSince = clock.GetUtcNow();
        try
        {
            await http.Response.WriteAsync(": connected\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                var events = await runs.ListTenantEventsAsync(caller.TenantId, position, 500, ct);
                foreach (var e in events)
                {
                    position = new TimelinePosition(e.At, e.RunId, e.Seq);
                    await http.Response.WriteAsync($"id: {position.Encode()}\nevent: {e.Type}\ndata: {JsonSerializer.Serialize(new { run_id = e.RunId, @event = Responses.Event(e) }, WardenJson.Options)}\n\n", ct);
                }

                if (events.Count > 0)
                {
                    await http.Response.Body.FlushAsync(ct);
                    idleSince = clock.GetUtcNow();
                    continue;
                }

                if (clock.GetUtcNow() - idleSince > TimeSpan.FromSeconds(15))
                {
                    // A comment line keeps proxies from closing an idle stream.
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    idleSince = clock.GetUtcNow();
                }

                await Task.Delay(250, ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
    }
}
