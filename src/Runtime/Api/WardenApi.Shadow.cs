using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Warden.Core.Releases;
using Warden.Core.Serialization;
using Warden.Runtime.Releases;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Api;

public sealed partial class WardenApi
{
    private const double DefaultShadowThreshold = 0.85;

    /// <summary>PUT /api/v1/graphs/{graphId}/shadow {candidate? | version?, percent, threshold?} — shadow that share of active runs with a candidate.</summary>
    public Task<IResult> PutShadowAsync(HttpContext http, string graphId) => GuardAsync(http, Roles.ManageReleases, async caller =>
    {
        var body = await ReadJsonObjectAsync(http, required: true);
        var percent = OptionalNumber(body, "percent", 0, 100) ?? throw ApiException.BadRequest("percent is required: the share of active runs to shadow, from 0 to 100");
        var threshold = OptionalNumber(body, "threshold", 0, 1) ?? DefaultShadowThreshold;
        var snapshotId = OptionalString(body, "candidate");
        var version = OptionalLong(body, "version", 1, int.MaxValue);
        if (snapshotId is not null && version is not null)
        {
            throw ApiException.BadRequest("give candidate (a snapshot id) or version, not both; neither shadows the candidate channel");
        }

        await RequireGraphAsync(caller, graphId, http.RequestAborted);
        var store = services.GetRequiredService<IReleaseStore>();
        if (version is not null)
        {
            snapshotId = (await services.GetRequiredService<ReleaseService>().SnapshotAsync(caller.TenantId, graphId, version, caller.Actor, http.RequestAborted)).Snapshot.Id;
        }
        else if (snapshotId is null)
        {
            snapshotId = ReleaseHistory.Current(await store.ListReleasesAsync(caller.TenantId, graphId, http.RequestAborted), ReleaseHistory.Candidate)
                ?? throw ApiException.Conflict("NO_CANDIDATE", $"graph '{graphId}' has no candidate release; release one, or name a candidate snapshot or version");
        }
        else if (await store.GetSnapshotAsync(caller.TenantId, graphId, snapshotId, http.RequestAborted) is null)
        {
            throw ApiException.NotFound($"graph '{graphId}' has no snapshot '{snapshotId}'");
        }

        var config = new ShadowConfig(snapshotId, percent, threshold);
        await store.SetShadowAsync(caller.TenantId, graphId, config, clock.GetUtcNow().ToString("O"), http.RequestAborted);
        await audit.AppendAsync(caller.TenantId, caller.Actor, "shadow.configured", graphId, new { graph_id = graphId, candidate = snapshotId, percent, threshold });
        return Json(Responses.Shadow(graphId, config));
    });

    public Task<IResult> GetShadowAsync(HttpContext http, string graphId) => GuardAsync(http, Roles.Any, async caller =>
    {
        await RequireGraphAsync(caller, graphId, http.RequestAborted);
        var config = await services.GetRequiredService<IReleaseStore>().GetShadowAsync(caller.TenantId, graphId, http.RequestAborted);
        return Json(Responses.Shadow(graphId, config));
    });

    public Task<IResult> DeleteShadowAsync(HttpContext http, string graphId) => GuardAsync(http, Roles.ManageReleases, async caller =>
    {
        await RequireGraphAsync(caller, graphId, http.RequestAborted);
        await services.GetRequiredService<IReleaseStore>().SetShadowAsync(caller.TenantId, graphId, null, clock.GetUtcNow().ToString("O"), http.RequestAborted);
        await audit.AppendAsync(caller.TenantId, caller.Actor, "shadow.stopped", graphId, new { graph_id = graphId });
        return Json(Responses.Shadow(graphId, null));
    });

    /// <summary>GET /api/v1/graphs/{graphId}/shadow/results?limit= — the pairs with their scores, the score distribution, the dry-run writes and shadow spend.</summary>
    public Task<IResult> GetShadowResultsAsync(HttpContext http, string graphId) => GuardAsync(http, Roles.Any, async caller =>
    {
        await RequireGraphAsync(caller, graphId, http.RequestAborted);
        var limit = ParseLimit(http.Request.Query["limit"].ToString(), 100, 1000);
        await services.GetRequiredService<ShadowService>().ScorePendingAsync(caller.TenantId, http.RequestAborted);
        var pairs = await services.GetRequiredService<IReleaseStore>().ListShadowPairsAsync(caller.TenantId, graphId, limit, http.RequestAborted);
        var writes = new List<object>();
        long tokens = 0;
        decimal cost = 0;
        foreach (var pair in pairs)
        {
            if (await runs.GetAsync(caller.TenantId, pair.ShadowRunId, http.RequestAborted) is not { } shadow)
            {
                continue;
            }

            tokens += shadow.InputTokens + shadow.OutputTokens;
            cost += decimal.Parse(shadow.CostUsd, CultureInfo.InvariantCulture);
            writes.AddRange(DryRunWrites(shadow));
        }

        var scores = pairs.Where(p => p.Score is not null).Select(p => p.Score!.Value).Order().ToList();
        return Json(new
        {
            graph_id = graphId,
            pairs = pairs.Select(Responses.ShadowPair),
            distribution = new
            {
                scored = scores.Count,
                pending = pairs.Count - scores.Count,
                flagged = pairs.Count(p => p.Flagged == true),
                min = scores.Count > 0 ? scores[0] : (double?)null,
                p50 = Quantile(scores, 0.5),
                p10 = Quantile(scores, 0.1),
                mean = scores.Count > 0 ? Math.Round(scores.Average(), 4) : (double?)null,
                buckets = Enumerable.Range(0, 10).Select(i => new { from = i / 10.0, to = (i + 1) / 10.0, count = scores.Count(s => s >= i / 10.0 && (s < (i + 1) / 10.0 || (i == 9 && s <= 1))) }),
            },
            dry_run_writes = writes,
            shadow_spend = new { total_tokens = tokens, cost_usd = cost },
        });
    });

    /// <summary>The write and external tool calls a shadow run recorded instead of making (see ToolInvoker).</summary>
    private static IEnumerable<object> DryRunWrites(RunRecord shadow)
    {
        if (shadow.State is "{}" or "")
        {
            yield break;
        }

        foreach (var (nodeId, node) in WardenJson.Deserialize<Core.Runs.RunState>(shadow.State).Nodes)
        {
            if (node.Provider != Tools.ToolInvoker.ProviderName || node.Output is not { } output)
            {
                continue;
            }

            JsonElement json;
            try
            {
                json = JsonDocument.Parse(output).RootElement.Clone();
            }
            catch (JsonException)
            {
                continue;
            }

            if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("dry_run", out var dry) && dry.ValueKind == JsonValueKind.True)
            {
                yield return new { run_id = shadow.Id, node_id = nodeId, tool = json.GetProperty("tool").GetString(), action_class = json.GetProperty("action_class").GetString(), input = json.GetProperty("input").GetString() };
            }
        }
    }

    private static double? Quantile(List<double> sorted, double q) =>
        sorted.Count == 0 ? null : sorted[(int)Math.Clamp(Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static double? OptionalNumber(JsonElement body, string name, double min, double max)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var n) || n < min || n > max)
        {
            throw ApiException.BadRequest($"'{name}' must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        }

        return n;
    }
}
