using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Providers;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Api;

/// <summary>Shadow runs through the HTTP API on a real Kestrel server, with a write tool on a real loopback endpoint.</summary>
public sealed class ShadowApiTests : IAsyncLifetime
{
    private const string AdminKey = "shadow-api-admin-key";

    private static string Graph(string planPrompt) => $$$"""
        name: shadowed
        tool_policies:
          - { tool: "*", action: "*", decision: allow }
        nodes:
          - { id: plan, role: planner, prompt: "{{{planPrompt}}} {{input.task}}" }
          - { id: update, kind: tool, tool: crm.update, input: "{{nodes.plan.output}}" }
          - { id: report, role: finalizer, prompt: "report {{nodes.plan.output}}" }
        edges: [ "plan -> update", "update -> report" ]
        """;

    private FakeProviderServer _tool = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _tool = await FakeProviderServer.StartAsync();
        _tool.Reply = ctx => FakeProviderServer.Respond(ctx, 200, """{"updated":true}""");
        EngineHostedService.ShowBootstrapKey = _ => { };
        _app = WardenWebHost.Build(
            new WardenSettings { DataDirectory = TestWarden.NewDataDirectory(), Url = "http://127.0.0.1:0", BootstrapApiKey = AdminKey, Synchronous = SqliteSynchronous.Normal },
            minimumLogLevel: LogLevel.Warning);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        _http.DefaultRequestHeaders.Add("X-API-Key", AdminKey);
        (await PostJsonAsync("/api/v1/tools", $$"""{"name":"crm.update","action_class":"write","endpoint":"{{_tool.BaseUrl}}update"}""")).EnsureSuccessStatusCode();
        (await PostYamlAsync(Graph("plan"))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _tool.DisposeAsync();
    }

    [Fact]
    public async Task Shadow_DivergentCandidate_PairsFlaggedAndWriteToolNeverCalledByShadow()
    {
        // Arrange: v1 active, v2 (a changed planner prompt) candidate, every active run shadowed
        (await PostYamlAsync(Graph("plan thoroughly, step by step, with risks,"))).EnsureSuccessStatusCode();
        (await PostJsonAsync("/api/v1/graphs/shadowed/releases", """{"version":1,"channel":"active"}""")).EnsureSuccessStatusCode();
        (await PostJsonAsync("/api/v1/graphs/shadowed/releases", """{"version":2,"channel":"candidate"}""")).EnsureSuccessStatusCode();
        var configured = await _http.PutAsync("/api/v1/graphs/shadowed/shadow", Json("""{"percent":100,"threshold":0.95}"""));

        // Act
        var primaries = new List<string>();
        var shadows = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var started = await (await PostJsonAsync("/api/v1/graphs/shadowed/runs", $$"""{"input":{"task":"refund order {{i}}"},"wait_seconds":30}""")).Content.ReadFromJsonAsync<JsonElement>();
            primaries.Add(started.GetProperty("run_id").GetString()!);
            shadows.Add(started.GetProperty("shadow_run_id").GetString()!);
        }

        foreach (var shadow in shadows)
        {
            await WaitForEndAsync(shadow);
        }

        var results = await _http.GetFromJsonAsync<JsonElement>("/api/v1/graphs/shadowed/shadow/results");
        var shadowRun = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{shadows[0]}");
        var audit = await _http.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=shadow.*&limit=100");

        // Assert
        configured.StatusCode.ShouldBe(HttpStatusCode.OK);
        _tool.Received.Count.ShouldBe(3);
        shadowRun.GetProperty("graph_version").GetInt64().ShouldBe(2);
        shadowRun.GetProperty("tags").GetProperty("shadow_of").GetString().ShouldBe(primaries[0]);
        var pairs = results.GetProperty("pairs").EnumerateArray().ToList();
        pairs.Select(p => p.GetProperty("shadow_run_id").GetString()).Order().ShouldBe(shadows.Order());
        pairs.ShouldAllBe(p => p.GetProperty("score").GetDouble() < 0.95 && p.GetProperty("flagged").GetBoolean());
        pairs.ShouldAllBe(p => p.GetProperty("trajectory_similarity").GetDouble() == 1.0);
        results.GetProperty("distribution").GetProperty("flagged").GetInt32().ShouldBe(3);
        var writes = results.GetProperty("dry_run_writes").EnumerateArray().ToList();
        writes.Count.ShouldBe(3);
        writes.ShouldAllBe(w => w.GetProperty("tool").GetString() == "crm.update" && w.GetProperty("action_class").GetString() == "write");
        results.GetProperty("shadow_spend").GetProperty("total_tokens").GetInt64().ShouldBeGreaterThan(0);
        var actions = audit.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("action").GetString()).ToList();
        actions.Count(a => a == "shadow.started").ShouldBe(3);
        actions.Count(a => a == "shadow.diverged").ShouldBe(3);
        actions.ShouldContain("shadow.configured");
    }

    [Fact]
    public async Task Shadow_SameBehaviourCandidate_ScoresOneAndIsNotFlagged()
    {
        // Arrange: v2 differs only in a comment, so it answers exactly as v1 does
        (await PostYamlAsync(Graph("plan") + "\n# v2: same behaviour\n")).EnsureSuccessStatusCode();
        (await PostJsonAsync("/api/v1/graphs/shadowed/releases", """{"version":1,"channel":"active"}""")).EnsureSuccessStatusCode();
        (await _http.PutAsync("/api/v1/graphs/shadowed/shadow", Json("""{"version":2,"percent":100}"""))).EnsureSuccessStatusCode();

        // Act
        var started = await (await PostJsonAsync("/api/v1/graphs/shadowed/runs", """{"input":{"task":"close ticket"},"wait_seconds":30}""")).Content.ReadFromJsonAsync<JsonElement>();
        await WaitForEndAsync(started.GetProperty("shadow_run_id").GetString()!);
        var results = await _http.GetFromJsonAsync<JsonElement>("/api/v1/graphs/shadowed/shadow/results");

        // Assert
        var pair = results.GetProperty("pairs").EnumerateArray().ShouldHaveSingleItem();
        pair.GetProperty("score").GetDouble().ShouldBe(1.0);
        pair.GetProperty("flagged").GetBoolean().ShouldBeFalse();
        results.GetProperty("distribution").GetProperty("p50").GetDouble().ShouldBe(1.0);
    }

    [Fact]
    public async Task Shadow_NoCandidateBadBodiesAndOff_AnsweredClearlyAndNothingShadowed()
    {
        // Arrange
        (await PostJsonAsync("/api/v1/graphs/shadowed/releases", """{"version":1,"channel":"active"}""")).EnsureSuccessStatusCode();

        // Act
        var noCandidate = await _http.PutAsync("/api/v1/graphs/shadowed/shadow", Json("""{"percent":10}"""));
        var noPercent = await _http.PutAsync("/api/v1/graphs/shadowed/shadow", Json("""{"version":1}"""));
        var badThreshold = await _http.PutAsync("/api/v1/graphs/shadowed/shadow", Json("""{"version":1,"percent":10,"threshold":2}"""));
        var unknownGraph = await _http.PutAsync("/api/v1/graphs/nope/shadow", Json("""{"percent":10}"""));
        (await _http.PutAsync("/api/v1/graphs/shadowed/shadow", Json("""{"version":1,"percent":100}"""))).EnsureSuccessStatusCode();
        var off = await _http.DeleteAsync("/api/v1/graphs/shadowed/shadow");
        var started = await (await PostJsonAsync("/api/v1/graphs/shadowed/runs", """{"input":{"task":"x"}}""")).Content.ReadFromJsonAsync<JsonElement>();
        var setting = await _http.GetFromJsonAsync<JsonElement>("/api/v1/graphs/shadowed/shadow");

        // Assert
        noCandidate.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await noCandidate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_code").GetString().ShouldBe("NO_CANDIDATE");
        noPercent.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        badThreshold.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        unknownGraph.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        off.StatusCode.ShouldBe(HttpStatusCode.OK);
        started.TryGetProperty("shadow_run_id", out _).ShouldBeFalse();
        setting.GetProperty("enabled").GetBoolean().ShouldBeFalse();
    }

    private async Task WaitForEndAsync(string runId)
    {
        for (var i = 0; i < 300; i++)
        {
            var run = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}");
            if (run.GetProperty("status").GetString() is "completed" or "failed" or "stopped")
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"run {runId} did not end");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private Task<HttpResponseMessage> PostJsonAsync(string path, string body) => _http.PostAsync(path, Json(body));

    private Task<HttpResponseMessage> PostYamlAsync(string yaml) =>
        _http.PostAsync("/api/v1/graphs", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
}
