using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Warden.Core.Runs;
using Warden.Core.Runs.Replay;
using Warden.Runtime.Engine;
using Warden.Runtime.Replay;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Api;

public sealed partial class WardenApi
{
    private static readonly string[] ReplayModes = ["exact", "candidate"];

    /// <summary>
    /// POST /api/v1/runs/{runId}/replay — <c>{mode: exact}</c> re-drives the decider over the run's recorded inputs and
    /// reports whether the same decisions come out (200); <c>{mode: candidate, version?, on_miss?, wait_seconds?}</c>
    /// starts a run of another graph version on the same input and seed, answered from the run's recorded responses
    /// where (node, visit, prompt) match (202, or 200 when it ended within wait_seconds). Without a mode: candidate when
    /// a version is given, else exact.
    /// </summary>
    public Task<IResult> ReplayRunAsync(HttpContext http, string runId) => GuardAsync(http, Roles.StartRuns, async caller =>
    {
        var body = await ReadJsonObjectAsync(http, required: false);
        var version = OptionalLong(body, "version", 1, int.MaxValue);
        var mode = OptionalString(body, "mode") ?? (version is null ? "exact" : "candidate");
        if (!ReplayModes.Contains(mode))
        {
            throw ApiException.BadRequest($"mode must be one of {string.Join(", ", ReplayModes)}");
        }

        var recorder = services.GetRequiredService<RunRecorder>();
        if (mode == "exact")
        {
            var report = await Unavailable(() => recorder.ReplayExactAsync(caller.TenantId, runId, http.RequestAborted))
                ?? throw ApiException.NotFound($"run '{runId}' not found");
            return Json(new { run_id = runId, mode, report.Identical, report.Events, report.Decisions, report.FirstDivergence });
        }

        var onMiss = RunOptionsJson.MissPolicy(OptionalString(body, "on_miss"));
        var wait = OptionalLong(body, "wait_seconds", 0, MaxWaitSeconds);
        var recording = await Unavailable(() => recorder.RecordAsync(caller.TenantId, runId, http.RequestAborted))
            ?? throw ApiException.NotFound($"run '{runId}' not found");
        var (recordingId, _) = await services.GetRequiredService<IRecordingStore>().SaveAsync(caller.TenantId, recording, http.RequestAborted);
        var options = (recording.Options ?? RunOptions.None) with
        {
            Replay = new ReplaySettings(recordingId, onMiss),
            Tags = new Dictionary<string, string>(recording.Options?.Tags ?? new Dictionary<string, string>(), StringComparer.Ordinal) { ["replay_of"] = runId },
        };
        var started = await engine.StartRunAsync(new StartRunRequest(caller.TenantId, recording.GraphId, version, recording.Input, recording.Seed, options), http.RequestAborted);
        await audit.AppendAsync(caller.TenantId, caller.Actor, "run.replayed", started.RunId, new { source_run_id = runId, recording_id = recordingId, started.GraphVersion, on_miss = onMiss });
        var location = $"/api/v1/runs/{started.RunId}";
        http.Response.Headers.Location = location;
        var ended = wait is > 0 ? await WaitForEndAsync(caller.TenantId, started.RunId, TimeSpan.FromSeconds(wait.Value), http.RequestAborted) : null;
        return Json(
            new
            {
                run_id = started.RunId,
                graph_id = started.GraphId,
                graph_version = started.GraphVersion,
                status = ended?.Status ?? started.Status.ToString().ToLowerInvariant(),
                mode,
                source_run_id = runId,
                recording_id = recordingId,
                on_miss = onMiss,
                output = ended?.Output,
                replay = ended is null ? null : await ReplayCountsAsync(caller.TenantId, started.RunId, http.RequestAborted),
                links = new { self = location, events = location + "/events", stream = location + "/stream", diff = $"/api/v1/runs/{runId}/diff/{started.RunId}", recording = $"/api/v1/runs/{runId}/recording" },
            },
            ended is null ? StatusCodes.Status202Accepted : StatusCodes.Status200OK);
    });

    /// <summary>GET /api/v1/runs/{runId}/recording — the run as a recording file (start, responses and decider inputs).</summary>
    public Task<IResult> GetRunRecordingAsync(HttpContext http, string runId) => GuardAsync(http, Roles.Any, async caller =>
        Json(await Unavailable(() => services.GetRequiredService<RunRecorder>().RecordAsync(caller.TenantId, runId, http.RequestAborted))
            ?? throw ApiException.NotFound($"run '{runId}' not found")));

    /// <summary>POST /api/v1/recordings — stores a recording file for replays (201, or 200 when the tenant already has it).</summary>
    public Task<IResult> CreateRecordingAsync(HttpContext http) => GuardAsync(http, Roles.StartRuns, async caller =>
    {
        var (text, _) = await ReadBodyAsync(http, JsonMediaTypes);
        Recording recording;
        try
        {
            recording = RecordingJson.Parse(text);
        }
        catch (InvalidDataException ex)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "RECORDING_INVALID", ex.Message);
        }

        var (id, created) = await services.GetRequiredService<IRecordingStore>().SaveAsync(caller.TenantId, recording, http.RequestAborted);
        if (created)
        {
            await audit.AppendAsync(caller.TenantId, caller.Actor, "recording.created", id, new { recording.SourceRunId, recording.GraphId, recording.GraphVersion });
        }

        return Json(
            new
            {
                recording_id = id,
                source_run_id = recording.SourceRunId,
                graph_id = recording.GraphId,
                graph_version = recording.GraphVersion,
                input = JsonDocument.Parse(recording.Input).RootElement,
                seed = recording.Seed,
                calls = recording.Calls.Count,
                created,
            },
            created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    });

    /// <summary>A start naming a recording must name one of the caller's tenant.</summary>
    private async Task RequireRecordingAsync(string tenantId, ReplaySettings? replay, CancellationToken ct)
    {
        if (replay is not null && await services.GetRequiredService<IRecordingStore>().GetAsync(tenantId, replay.RecordingId, ct) is null)
        {
            throw ApiException.NotFound($"recording '{replay.RecordingId}' not found");
        }
    }

    private static async Task<T?> Unavailable<T>(Func<Task<T?>> load)
        where T : class
    {
        try
        {
            return await load();
        }
        catch (RecordingUnavailableException ex)
        {
            throw ApiException.Conflict("REPLAY_UNAVAILABLE", ex.Message);
        }
    }

    private async Task<RunRecord?> WaitForEndAsync(string tenantId, string runId, TimeSpan wait, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + wait;
        while (true)
        {
            if (await runs.GetAsync(tenantId, runId, ct) is { } run && IsTerminal(run.Status))
            {
                return run;
            }

            var left = deadline - clock.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            await engine.WaitForChangeAsync(runId, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), ct);
        }
    }

    /// <summary>How a replayed run's steps were answered: from the recording, by a provider or tool, or not at all (REPLAY_MISS).</summary>
    private async Task<object> ReplayCountsAsync(string tenantId, string runId, CancellationToken ct)
    {
        int replayed = 0, called = 0, missed = 0;
        for (long after = 0; ;)
        {
            var page = await runs.ListEventsAsync(tenantId, runId, after, 1000, ct);
            foreach (var e in page)
            {
                var data = e.Data is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(e.Data);
                if (e.Type == "node.completed" && data?.GetValueOrDefault("provider") == ReplaySource.ProviderName)
                {
                    replayed++;
                }
                else if (e.Type == "node.completed")
                {
                    called++;
                }
                else if (e.Type == ReplayCodes.MissedEvent)
                {
                    missed++;
                }
            }

            if (page.Count < 1000)
            {
                return new { replayed, called, missed };
            }

            after = page[^1].Seq;
        }
    }
}
