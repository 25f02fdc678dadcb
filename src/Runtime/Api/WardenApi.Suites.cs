using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Warden.Core.Serialization;
using Warden.Core.Testing;
using Warden.Runtime.Storage;
using Warden.Runtime.Testing;

namespace Warden.Runtime.Api;

public sealed partial class WardenApi
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex SuiteSlug();

    /// <summary>POST /api/v1/suites — YAML or JSON; a changed suite under the same name becomes a new version (201), the same content answers 200.</summary>
    public Task<IResult> CreateSuiteAsync(HttpContext http) => GuardAsync(http, Roles.ManageGraphs, async caller =>
    {
        var store = SuiteStore();
        var (text, mediaType) = await ReadBodyAsync(http, GraphMediaTypes);
        var format = mediaType == "application/json" ? "json" : "yaml";
        if (format == "json")
        {
            text = text.Replace('\t', ' ');
        }

        var suite = SuiteParser.Parse(text);
        if (!SuiteSlug().IsMatch(suite.Name))
        {
            throw new SuiteValidationException([new SuiteError("$.name", "a stored suite's name is its id: lower-case letters, digits, '-' or '_' (at most 64)")]);
        }

        if (suite.Graph.Id is null)
        {
            throw new SuiteValidationException([new SuiteError("$.graph", "a stored suite names an uploaded graph by id (graph: {id, version}); graph files are for `warden test`")]);
        }

        var (version, created) = await store.SaveVersionAsync(caller.TenantId, suite.Name, text, format, http.RequestAborted);
        var body = SuiteVersion(version, suite);
        if (!created)
        {
            return Json(body);
        }

        await audit.AppendAsync(caller.TenantId, caller.Actor, "suite.uploaded", version.SuiteId, new { version.SuiteId, version.Version, version.ContentHash });
        http.Response.Headers.Location = $"/api/v1/suites/{version.SuiteId}";
        return Json(body, StatusCodes.Status201Created);
    });

    public Task<IResult> ListSuitesAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
    {
        var list = await SuiteStore().ListAsync(caller.TenantId, http.RequestAborted);
        return Json(new { items = list.Select(s => new { suite_id = s.Id, s.LatestVersion, s.CreatedAt, s.UpdatedAt }) });
    });

    /// <summary>GET /api/v1/suites/{suiteId} — the latest version, or ?version=N.</summary>
    public Task<IResult> GetSuiteAsync(HttpContext http, string suiteId) => GuardAsync(http, Roles.Any, async caller =>
    {
        var version = long.TryParse(http.Request.Query["version"].ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : (long?)null;
        var record = await SuiteStore().GetVersionAsync(caller.TenantId, suiteId, version, http.RequestAborted)
            ?? throw ApiException.NotFound($"suite '{suiteId}' not found");
        return Json(SuiteVersion(record, SuiteParser.Parse(record.Source)));
    });

    /// <summary>POST /api/v1/suites/{suiteId}/runs — {version?, parallel?, filter?}; 202: every case runs as an ordinary run.</summary>
    public Task<IResult> StartSuiteRunAsync(HttpContext http, string suiteId) => GuardAsync(http, Roles.StartRuns, async caller =>
    {
        var store = SuiteStore();
        var dispatcher = services.GetRequiredService<SuiteRunDispatcher>();
        var body = await ReadJsonObjectAsync(http, required: false);
        var version = OptionalLong(body, "version", 1, int.MaxValue);
        var parallel = (int)(OptionalLong(body, "parallel", 1, 16) ?? 4);
        var filter = OptionalString(body, "filter");
        var record = await store.GetVersionAsync(caller.TenantId, suiteId, version, http.RequestAborted)
            ?? throw ApiException.NotFound(version is null ? $"suite '{suiteId}' not found" : $"suite '{suiteId}' has no version {version}");
        var suite = SuiteParser.Parse(record.Source);
        // Cases with chaos need the role a chaos run needs (their crash cases end as errors: see SuiteRunner.CrashNeedsCli).
        foreach (var json in suite.Cases.Select(c => c.RunOptions).OfType<string>())
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            if (RunOptionsJson.Read(doc.RootElement).Chaos is { } chaos)
            {
                AllowChaos(caller, chaos with { CrashAfterSteps = null });
            }
        }

        _ = await graphs.GetVersionAsync(caller.TenantId, suite.Graph.Id!, suite.Graph.Version, http.RequestAborted)
            ?? throw ApiException.BadRequest($"the suite's graph '{suite.Graph.Id}'{(suite.Graph.Version is { } gv ? $" v{gv}" : string.Empty)} is not uploaded");
        var now = clock.GetUtcNow().ToString("O");
        var run = new SuiteRunRecord
        {
            Id = "srun_" + Guid.NewGuid().ToString("N")[..20],
            SuiteId = record.SuiteId,
            SuiteVersion = record.Version,
            Status = "running",
            CreatedAt = now,
            UpdatedAt = now,
        };
        await store.CreateRunAsync(caller.TenantId, run, http.RequestAborted);
        await audit.AppendAsync(caller.TenantId, caller.Actor, "suite.run_started", run.Id, new { run.SuiteId, run.SuiteVersion, parallel, filter });
        dispatcher.Start(caller.TenantId, run.Id, suite, parallel, filter);
        http.Response.Headers.Location = $"/api/v1/suite-runs/{run.Id}";
        return Json(SuiteRun(run), StatusCodes.Status202Accepted);
    });

    /// <summary>GET /api/v1/suite-runs/{id} — status and, once ended, per-case and per-assertion results.</summary>
    public Task<IResult> GetSuiteRunAsync(HttpContext http, string suiteRunId) => GuardAsync(http, Roles.Any, async caller =>
    {
        var run = await SuiteStore().GetRunAsync(caller.TenantId, suiteRunId, http.RequestAborted)
            ?? throw ApiException.NotFound($"suite run '{suiteRunId}' not found");
        return Json(SuiteRun(run));
    });

    /// <summary>GET /api/v1/suite-runs — newest first (suite_id, limit, cursor).</summary>
    public Task<IResult> ListSuiteRunsAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
    {
        var q = http.Request.Query;
        var page = await SuiteStore().ListRunsAsync(
            caller.TenantId,
            q["suite_id"].ToString() is { Length: > 0 } s ? s : null,
            ParseLimit(q["limit"].ToString(), 50, 200),
            q["cursor"].ToString() is { Length: > 0 } c ? c : null,
            http.RequestAborted);
        return Json(new { items = page.Items.Select(r => SuiteRun(r, withResult: false)), next_cursor = page.NextCursor });
    });

    /// <summary>The suite store, or 501 on a host composed without one (both of Warden's hosts register one).</summary>
    private ISuiteStore SuiteStore() =>
        services.GetService<ISuiteStore>()
        ?? throw new ApiException(StatusCodes.Status501NotImplemented, "NOT_IMPLEMENTED", "suites are stored by the embedded host (`warden serve`); on this host run them with `warden test --server` instead");

    private static object SuiteVersion(SuiteVersionRecord v, SuiteDefinition suite) => new
    {
        suite_id = v.SuiteId,
        v.Version,
        v.ContentHash,
        v.CreatedAt,
        graph = new { id = suite.Graph.Id, version = suite.Graph.Version },
        cases = suite.Cases.Select(c => new { name = c.Name, assertions = c.Assertions.Count }),
        v.Source,
    };

    private static object SuiteRun(SuiteRunRecord r, bool withResult = true) => new
    {
        suite_run_id = r.Id,
        r.SuiteId,
        r.SuiteVersion,
        r.Status,
        r.CreatedAt,
        r.UpdatedAt,
        r.EndedAt,
        result = withResult && r.Result is { } text ? JsonSerializer.Deserialize<JsonElement>(text, WardenJson.Options) : (JsonElement?)null,
    };
}
