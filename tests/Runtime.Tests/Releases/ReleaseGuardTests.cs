using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Releases;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Releases;

/// <summary>The release guard over real runs on the embedded engine, behind the real Kestrel API, on a clock the test moves.</summary>
public sealed class ReleaseGuardTests : IAsyncLifetime
{
    private const string AdminKey = "release-guard-admin-key";
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    private ReleaseGuard Guard => _app.Services.GetRequiredService<ReleaseGuard>();

    /// <summary>A graph whose every step completes, or (failing) fails at once; its SLOs ask nine runs in ten to complete.</summary>
    private static string Graph(bool failing, bool autoRollback) =>
        Support.Graphs.Sequential(name: "guarded", nodes: 2, mock: failing ? "{ error_rate: 1 }" : "{ latency_ms: 0 }", retry: "retries: 0") + $$"""

        slos:
          window: 1h
          auto_rollback: {{(autoRollback ? "true" : "false")}}
          min_runs: 3
          objectives:
            - success_rate: 0.9
            - p95_latency: 30s
            - cost_per_run: 1
        """;

    public async Task InitializeAsync()
    {
        EngineHostedService.ShowBootstrapKey = _ => { };
        _app = WardenWebHost.Build(
            new WardenSettings { DataDirectory = TestWarden.NewDataDirectory(), Url = "http://127.0.0.1:0", BootstrapApiKey = AdminKey, Synchronous = SqliteSynchronous.Normal, ReleaseGuardInterval = null },
            _clock,
            minimumLogLevel: LogLevel.Warning);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        _http.DefaultRequestHeaders.Add("X-API-Key", AdminKey);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task CheckActiveReleases_V2FailsItsSuccessRate_RollsBackToV1ThatPassedAndAuditsIt()
    {
        // Arrange: v1 active and healthy, checked once; then v2 (failing) released over it
        await UploadAsync(Graph(failing: false, autoRollback: true));
        await UploadAsync(Graph(failing: true, autoRollback: true));
        var v1 = await ReleaseAsync(1);
        await RunAsync(3, "completed");
        _clock.Advance(TimeSpan.FromMinutes(1));
        var first = (await Guard.CheckActiveReleasesAsync()).ShouldHaveSingleItem();
        var v2 = await ReleaseAsync(2);
        await RunAsync(3, "failed");
        _clock.Advance(TimeSpan.FromMinutes(1));

        // Act
        var breach = (await Guard.CheckActiveReleasesAsync()).ShouldHaveSingleItem();
        var afterwards = (await Guard.CheckActiveReleasesAsync()).ShouldHaveSingleItem();

        // Assert
        first.Report.Passed.ShouldBeTrue();
        breach.Report.Passed.ShouldBeFalse();
        breach.Report.SnapshotId.ShouldBe(v2);
        breach.Report.Summary.ShouldBe("success_rate 0 vs objective 0.9");
        breach.Notified.ShouldBeTrue();
        breach.RolledBackTo.ShouldBe(v1);
        afterwards.Report.SnapshotId.ShouldBe(v1);
        afterwards.Report.Passed.ShouldBeTrue();
        var releases = await _http.GetFromJsonAsync<JsonElement>("/api/v1/graphs/guarded/releases");
        releases.GetProperty("channels").GetProperty("active").GetString().ShouldBe(v1);
        var latest = releases.GetProperty("history")[0];
        (latest.GetProperty("kind").GetString(), latest.GetProperty("actor").GetString()).ShouldBe(("rollback", ReleaseGuard.SystemActor));
        latest.GetProperty("reason").GetString()!.ShouldContain("success_rate 0 vs objective 0.9");
        var audit = await AuditAsync();
        audit.ShouldContain(("release.guard_breached", ReleaseGuard.SystemActor));
        audit.ShouldContain(("release.rolled_back", ReleaseGuard.SystemActor));
        var verdicts = await _app.Services.GetRequiredService<IReleaseStore>().ListGuardResultsAsync("demo", "guarded");
        verdicts.ToDictionary(v => v.SnapshotId, v => v.Passed).ShouldBe(new Dictionary<string, bool> { [v1] = true, [v2] = false }, ignoreOrder: true);
    }

    [Fact]
    public async Task CheckActiveReleases_BreachWithoutAutoRollback_AuditsOnceAndStaysActive()
    {
        // Arrange
        await UploadAsync(Graph(failing: false, autoRollback: false));
        await UploadAsync(Graph(failing: true, autoRollback: false));
        await ReleaseAsync(1);
        await RunAsync(3, "completed");
        _clock.Advance(TimeSpan.FromMinutes(1));
        await Guard.CheckActiveReleasesAsync();
        var v2 = await ReleaseAsync(2);
        await RunAsync(3, "failed");
        _clock.Advance(TimeSpan.FromMinutes(1));

        // Act
        var breach = (await Guard.CheckActiveReleasesAsync()).ShouldHaveSingleItem();
        var stillBreaching = (await Guard.CheckActiveReleasesAsync()).ShouldHaveSingleItem();

        // Assert
        breach.Notified.ShouldBeTrue();
        breach.RolledBackTo.ShouldBeNull();
        breach.Refusal.ShouldBe("auto_rollback is off for this graph");
        stillBreaching.Report.Passed.ShouldBeFalse();
        stillBreaching.Notified.ShouldBeFalse();
        (await _http.GetFromJsonAsync<JsonElement>("/api/v1/graphs/guarded/releases")).GetProperty("channels").GetProperty("active").GetString().ShouldBe(v2);
        var audit = await AuditAsync();
        audit.Count(a => a.Action == "release.guard_breached").ShouldBe(1);
        audit.ShouldNotContain(a => a.Action == "release.rolled_back");
    }

    [Fact]
    public async Task CheckActiveReleases_RunsOutsideTheWindow_NoDataIsNoBreach()
    {
        // Arrange: the failures are older than the hour the SLOs look at
        await UploadAsync(Graph(failing: true, autoRollback: true));
        await ReleaseAsync(1);
        await RunAsync(3, "failed");
        _clock.Advance(TimeSpan.FromHours(2));

        // Act
        var outcome = (await Guard.CheckActiveReleasesAsync()).ShouldHaveSingleItem();

        // Assert
        outcome.Report.Passed.ShouldBeTrue();
        outcome.Report.Verdict.Results.ShouldAllBe(r => r.Status == Core.Releases.SloStatus.NoData);
        outcome.Report.Verdict.Results[0].Detail.ShouldBe("0 finished run(s) in the window; 3 needed");
    }

    [Fact]
    public async Task EvaluateGuard_Api_AnswersEverySloWithMeasuredObjectiveAndBudget()
    {
        // Arrange: v2's runs fail; it was never released
        await UploadAsync(Graph(failing: false, autoRollback: true));
        await UploadAsync(Graph(failing: true, autoRollback: true));
        await RunAsync(3, "failed", """ "version": 2, """);
        _clock.Advance(TimeSpan.FromMinutes(1));

        // Act
        var failing = await PostJsonAsync("/api/v1/releases/guard", """{"graph":"guarded","version":2,"environment":"staging"}""");
        var clean = await PostJsonAsync("/api/v1/releases/guard", """{"graph":"guarded","version":1,"environment":"staging"}""");
        var noEnvironment = await PostJsonAsync("/api/v1/releases/guard", """{"graph":"guarded","version":1}""");
        var both = await PostJsonAsync("/api/v1/releases/guard", """{"graph":"guarded","version":1,"snapshot":"snap_x","environment":"prod"}""");
        var missing = await PostJsonAsync("/api/v1/releases/guard", """{"graph":"nope","version":1,"environment":"prod"}""");
        var noSnapshot = await PostJsonAsync("/api/v1/releases/guard", """{"graph":"guarded","snapshot":"snap_x","environment":"prod"}""");

        // Assert
        failing.StatusCode.ShouldBe(HttpStatusCode.OK);
        var report = await failing.Content.ReadFromJsonAsync<JsonElement>();
        report.GetProperty("passed").GetBoolean().ShouldBeFalse();
        report.GetProperty("environment").GetString().ShouldBe("staging");
        report.GetProperty("window").GetString().ShouldBe("1h");
        var objectives = report.GetProperty("objectives").EnumerateArray().ToList();
        objectives.Select(o => o.GetProperty("objective").GetString()).ShouldBe(["success_rate", "p95_latency", "cost_per_run"]);
        var success = objectives[0];
        (success.GetProperty("status").GetString(), success.GetProperty("passed").GetBoolean()).ShouldBe(("breached", false));
        (success.GetProperty("measured").GetDouble(), success.GetProperty("target").GetDouble()).ShouldBe((0.0, 0.9));
        success.GetProperty("error_budget").GetDouble().ShouldBe(0.1, 1e-9);
        success.GetProperty("burn_rate").GetDouble().ShouldBe(10, 1e-9);
        success.GetProperty("budget_left").GetDouble().ShouldBe(0);
        (success.GetProperty("samples").GetInt32(), success.GetProperty("bad_samples").GetInt32()).ShouldBe((3, 3));
        objectives[1].GetProperty("status").GetString().ShouldBe("passed");
        var cleanReport = await clean.Content.ReadFromJsonAsync<JsonElement>();
        cleanReport.GetProperty("passed").GetBoolean().ShouldBeTrue();
        cleanReport.GetProperty("objectives")[0].GetProperty("status").GetString().ShouldBe("no_data");
        await ShouldBeErrorAsync(noEnvironment, HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        await ShouldBeErrorAsync(both, HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        await ShouldBeErrorAsync(missing, HttpStatusCode.NotFound, "NOT_FOUND");
        await ShouldBeErrorAsync(noSnapshot, HttpStatusCode.NotFound, "NOT_FOUND");
        (await AuditAsync()).Count(a => a.Action == "release.guard_evaluated").ShouldBe(2);
    }

    private static async Task ShouldBeErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        response.StatusCode.ShouldBe(status);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("error_code").GetString().ShouldBe(code);
        body.TryGetProperty("message", out _).ShouldBeTrue();
    }

    private async Task<List<(string Action, string Actor)>> AuditAsync()
    {
        var audit = await _http.GetFromJsonAsync<JsonElement>("/api/v1/audit?limit=100");
        return [.. audit.GetProperty("items").EnumerateArray().Select(e => (e.GetProperty("action").GetString()!, e.GetProperty("actor").GetString()!))];
    }

    private async Task UploadAsync(string yaml) =>
        (await _http.PostAsync("/api/v1/graphs", new StringContent(yaml, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();

    private async Task<string> ReleaseAsync(long version)
    {
        var response = await PostJsonAsync("/api/v1/graphs/guarded/releases", $$"""{"version":{{version}},"channel":"active"}""");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.IsSuccessStatusCode.ShouldBeTrue(body.ToString());
        return body.GetProperty("snapshot_id").GetString()!;
    }

    private async Task RunAsync(int count, string status, string version = "")
    {
        for (var i = 0; i < count; i++)
        {
            var response = await PostJsonAsync("/api/v1/graphs/guarded/runs", $$"""{{{version}} "input":{"task":"t{{i}}"},"wait_seconds":30}""");
            var run = await response.Content.ReadFromJsonAsync<JsonElement>();
            run.GetProperty("status").GetString().ShouldBe(status, run.ToString());
        }
    }

    private Task<HttpResponseMessage> PostJsonAsync(string path, string body) => _http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
}
