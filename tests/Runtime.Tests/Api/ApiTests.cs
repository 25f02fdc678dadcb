using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Api;

/// <summary>The HTTP API on a real Kestrel server bound to loopback, as `warden serve` hosts it.</summary>
public sealed class ApiTests : IAsyncLifetime
{
    private const string AdminKey = "api-test-admin-key";
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        EngineHostedService.ShowBootstrapKey = _ => { };
        _app = WardenWebHost.Build(
            new WardenSettings { DataDirectory = TestWarden.NewDataDirectory(), Url = "http://127.0.0.1:0", BootstrapApiKey = AdminKey, MaxBodyBytes = 64 * 1024, Synchronous = SqliteSynchronous.Normal },
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
    public async Task AnyRoute_WithoutKey_Returns401WithUniformBody()
    {
        using var anonymous = new HttpClient { BaseAddress = _http.BaseAddress };

        var response = await anonymous.GetAsync("/api/v1/graphs");
        var body = await ErrorAsync(response);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        body.GetProperty("error_code").GetString().ShouldBe("UNAUTHENTICATED");
        body.GetProperty("message").GetString()!.ShouldContain("X-API-Key");
    }

    [Fact]
    public async Task Health_WithoutKey_IsOk()
    {
        using var anonymous = new HttpClient { BaseAddress = _http.BaseAddress };

        (await anonymous.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CreateGraph_UploadSameThenChanged_201Then200Then201WithNextVersion()
    {
        var yaml = Support.Graphs.Sequential(name: "api-seq", nodes: 2);

        var first = await PostYamlAsync(yaml);
        var same = await PostYamlAsync(yaml);
        var changed = await PostYamlAsync(yaml.Replace("step 1", "first step", StringComparison.Ordinal));

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        first.Headers.Location!.ToString().ShouldBe("/api/v1/graphs/api-seq/versions/1");
        same.StatusCode.ShouldBe(HttpStatusCode.OK);
        changed.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64().ShouldBe(2);
        (await _http.GetAsync("/api/v1/graphs/api-seq/versions/1")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CreateGraph_UnknownEdgeNode_400WithLineAndColumn()
    {
        var response = await PostYamlAsync("name: bad\nnodes:\n  - id: a\n    role: planner\n    prompt: hi\nedges:\n  - from: a\n    to: ghost\n");
        var body = await ErrorAsync(response);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        body.GetProperty("error_code").GetString().ShouldBe("GRAPH_INVALID");
        var detail = body.GetProperty("details")[0];
        detail.GetProperty("message").GetString()!.ShouldContain("ghost");
        detail.GetProperty("line").GetInt32().ShouldBe(8);
        detail.GetProperty("column").GetInt32().ShouldBe(9);
    }

    [Fact]
    public async Task CreateGraph_ContractFileReference_400SayingToInlineIt()
    {
        var response = await PostYamlAsync("name: bad-contract\nnodes:\n  - id: a\n    role: planner\n    prompt: hi\n    contract: ./contracts/a.yaml\n");
        var body = await ErrorAsync(response);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        body.GetProperty("error_code").GetString().ShouldBe("GRAPH_INVALID");
        var detail = body.GetProperty("details")[0];
        detail.GetProperty("message").GetString()!.ShouldContain("contract file './contracts/a.yaml' is not inlined");
        detail.GetProperty("line").GetInt32().ShouldBe(6);
        detail.GetProperty("column").GetInt32().ShouldBe(15);
    }

    [Fact]
    public async Task GetGraphVersion_NodeWithContract_DefinitionShowsTheContract()
    {
        var created = await PostYamlAsync("name: api-contract\nnodes:\n  - id: a\n    role: planner\n    prompt: hi\n    contract: { max_output_tokens: 300, forbidden: ['(?i)secret'] }\n");
        created.StatusCode.ShouldBe(HttpStatusCode.Created);

        var version = await _http.GetFromJsonAsync<JsonElement>("/api/v1/graphs/api-contract/versions/1");

        var contract = version.GetProperty("definition").GetProperty("nodes")[0].GetProperty("contract");
        contract.GetProperty("max_output_tokens").GetInt64().ShouldBe(300);
        contract.GetProperty("forbidden")[0].GetString().ShouldBe("(?i)secret");
    }

    [Fact]
    public async Task CreateGraph_WrongContentType_415()
    {
        var response = await _http.PostAsync("/api/v1/graphs", new StringContent("name: x", Encoding.UTF8, "application/xml"));

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        (await ErrorAsync(response)).GetProperty("error_code").GetString().ShouldBe("UNSUPPORTED_MEDIA_TYPE");
    }

    [Fact]
    public async Task CreateGraph_OversizedBody_413()
    {
        var response = await PostYamlAsync("name: big\ndescription: " + new string('x', 70 * 1024));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await ErrorAsync(response)).GetProperty("error_code").GetString().ShouldBe("PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task StartRun_WithWaitSeconds_200WithOutputAndUsage()
    {
        await PostYamlAsync(Support.Graphs.Sequential(name: "api-wait", nodes: 3));

        var response = await _http.PostAsync("/api/v1/graphs/api-wait/runs", Json("""{"input":{"task":"x"},"wait_seconds":20}"""));
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        run.GetProperty("status").GetString().ShouldBe("completed");
        run.GetProperty("usage").GetProperty("total_tokens").GetInt64().ShouldBeGreaterThan(0);
        run.GetProperty("nodes").GetArrayLength().ShouldBe(3);
    }

    [Fact]
    public async Task StartRun_WithoutWait_202WithLocation()
    {
        await PostYamlAsync(Support.Graphs.Sequential(name: "api-async", nodes: 1));

        var response = await _http.PostAsync("/api/v1/graphs/api-async/runs", Json("""{"input":{}}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        response.Headers.Location!.ToString().ShouldStartWith("/api/v1/runs/run_");
    }

    [Fact]
    public async Task GetRun_OtherTenantsRun_404()
    {
        await PostYamlAsync(Support.Graphs.Sequential(name: "api-private", nodes: 1));
        var run = await (await _http.PostAsync("/api/v1/graphs/api-private/runs", Json("{}"))).Content.ReadFromJsonAsync<JsonElement>();
        var tenants = _app.Services.GetRequiredService<ITenantStore>();
        await tenants.CreateTenantAsync("other", "Other");
        using var other = new HttpClient { BaseAddress = _http.BaseAddress };
        other.DefaultRequestHeaders.Add("X-API-Key", await tenants.IssueKeyAsync("other", "k", "admin"));

        var response = await other.GetAsync($"/api/v1/runs/{run.GetProperty("run_id").GetString()}");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ErrorAsync(response)).GetProperty("error_code").GetString().ShouldBe("NOT_FOUND");
    }

    [Fact]
    public async Task Decision_ApproveTwice_SecondIs409()
    {
        await PostYamlAsync(Support.Graphs.Gate);
        var run = await (await _http.PostAsync("/api/v1/graphs/gated/runs", Json("""{"input":{"task":"t"}}"""))).Content.ReadFromJsonAsync<JsonElement>();
        var runId = run.GetProperty("run_id").GetString();
        JsonElement approvals = default;
        for (var i = 0; i < 100 && (approvals.ValueKind == JsonValueKind.Undefined || approvals.GetProperty("items").GetArrayLength() == 0); i++)
        {
            approvals = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}/approvals");
            await Task.Delay(50);
        }

        var approvalId = approvals.GetProperty("items")[0].GetProperty("approval_id").GetString();
        var first = await _http.PostAsync($"/api/v1/approvals/{approvalId}/decision", Json("""{"decision":"approve","comment":"ok"}"""));
        var second = await _http.PostAsync($"/api/v1/approvals/{approvalId}/decision", Json("""{"decision":"approve"}"""));

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await ErrorAsync(second)).GetProperty("error_code").GetString().ShouldBe("APPROVAL_NOT_PENDING");
    }

    [Fact]
    public async Task Control_OnFinishedRun_409()
    {
        await PostYamlAsync(Support.Graphs.Sequential(name: "api-done", nodes: 1));
        var run = await (await _http.PostAsync("/api/v1/graphs/api-done/runs", Json("""{"wait_seconds":20}"""))).Content.ReadFromJsonAsync<JsonElement>();

        var response = await _http.PostAsync($"/api/v1/runs/{run.GetProperty("run_id").GetString()}/control", Json("""{"action":"pause"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await ErrorAsync(response)).GetProperty("error_code").GetString().ShouldBe("RUN_FINISHED");
    }

    [Fact]
    public async Task Stream_FinishedRun_SendsTimelineThenEnd()
    {
        await PostYamlAsync(Support.Graphs.Sequential(name: "api-stream", nodes: 2));
        var run = await (await _http.PostAsync("/api/v1/graphs/api-stream/runs", Json("""{"wait_seconds":20}"""))).Content.ReadFromJsonAsync<JsonElement>();

        var text = await _http.GetStringAsync($"/api/v1/runs/{run.GetProperty("run_id").GetString()}/stream");

        text.ShouldContain("event: run.started");
        text.ShouldContain("event: node.completed");
        text.ShouldEndWith("event: end\ndata: {\"status\":\"completed\"}\n\n");
    }

    [Fact]
    public async Task ListRuns_FilterAndPage_ReturnsCursorUntilExhausted()
    {
        await PostYamlAsync(Support.Graphs.Sequential(name: "api-list", nodes: 1));
        for (var i = 0; i < 3; i++)
        {
            await _http.PostAsync("/api/v1/graphs/api-list/runs", Json("""{"wait_seconds":20}"""));
        }

        var page1 = await _http.GetFromJsonAsync<JsonElement>("/api/v1/runs?graph_id=api-list&limit=2");
        var page2 = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/runs?graph_id=api-list&limit=2&cursor={page1.GetProperty("next_cursor").GetString()}");

        page1.GetProperty("items").GetArrayLength().ShouldBe(2);
        page2.GetProperty("items").GetArrayLength().ShouldBe(1);
        page2.TryGetProperty("next_cursor", out _).ShouldBeFalse();
        (await _http.GetAsync("/api/v1/runs?status=bogus")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TenantStream_FromStart_CarriesEveryRunsTimelineAndNothingOfOtherTenants()
    {
        await PostYamlAsync(Support.Graphs.Sequential(name: "api-live", nodes: 2));
        var run = await (await _http.PostAsync("/api/v1/graphs/api-live/runs", Json("""{"wait_seconds":20}"""))).Content.ReadFromJsonAsync<JsonElement>();
        var runId = run.GetProperty("run_id").GetString()!;
        var tenants = _app.Services.GetRequiredService<ITenantStore>();
        await tenants.CreateTenantAsync("quiet", "Quiet");
        using var other = new HttpClient { BaseAddress = _http.BaseAddress };
        other.DefaultRequestHeaders.Add("X-API-Key", await tenants.IssueKeyAsync("quiet", "k", "viewer"));

        var mine = await ReadStreamAsync(_http, line => line.Contains(runId, StringComparison.Ordinal) && line.Contains("run.completed", StringComparison.Ordinal));
        var theirs = await ReadStreamAsync(other, _ => false, TimeSpan.FromSeconds(1));

        mine.ShouldContain(l => l.StartsWith("event: node.completed", StringComparison.Ordinal));
        mine.ShouldContain(l => l.StartsWith("id: ", StringComparison.Ordinal));
        theirs.ShouldNotContain(l => l.Contains(runId, StringComparison.Ordinal));
    }

    private static async Task<List<string>> ReadStreamAsync(HttpClient client, Func<string, bool> until, TimeSpan? limit = null)
    {
        using var cts = new CancellationTokenSource(limit ?? TimeSpan.FromSeconds(20));
        var lines = new List<string>();
        try
        {
            using var response = await client.GetAsync("/api/v1/stream?from=start", HttpCompletionOption.ResponseHeadersRead, cts.Token);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
            while (await reader.ReadLineAsync(cts.Token) is { } line)
            {
                lines.Add(line);
                if (until(line))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (limit is not null)
        {
            // Reading for a fixed time: what arrived by then is the answer.
        }

        return lines;
    }

    [Fact]
    public async Task OpenApi_Document_ListsRunRoutes()
    {
        var doc = await _http.GetStringAsync("/openapi/v1.json");

        doc.ShouldContain("/api/v1/graphs/{graphId}/runs");
        doc.ShouldContain("/api/v1/approvals/{approvalId}/decision");
        doc.ShouldContain("/api/v1/runs/{runId}/diff/{otherRunId}");
        doc.ShouldContain("/api/v1/runs/{runId}/compliance");
        doc.ShouldContain("/api/v1/runs/{runId}/replay");
        doc.ShouldContain("/api/v1/runs/{runId}/recording");
        doc.ShouldContain("/api/v1/recordings");
        doc.ShouldContain("/api/v1/evals/judge");
    }

    [Fact]
    public async Task Judge_OnMock_GradesAndReportsUsage()
    {
        var response = await _http.PostAsync("/api/v1/evals/judge", Json("""{"rubric":"mentions rollback and restart","output":"Restart, then rollback on errors.","min_score":0.7}"""));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("score").GetDouble().ShouldBe(1);
        body.GetProperty("passed").GetBoolean().ShouldBeTrue();
        body.GetProperty("provider").GetString().ShouldBe("mock");
        body.GetProperty("model").GetString().ShouldBe("mock-1");
        body.GetProperty("reason").GetString()!.ShouldContain("mock judge");
        body.GetProperty("usage").GetProperty("input_tokens").GetInt64().ShouldBeGreaterThan(0);
        (await _http.GetStringAsync("/api/v1/usage?group_by=graph")).ShouldContain("evals.judge");
    }

    [Theory]
    [InlineData("""{"output":"o"}""", "rubric is required")]
    [InlineData("""{"rubric":"r"}""", "'output' is required")]
    [InlineData("""{"rubric":"r","output":"o","min_score":3}""", "'min_score' must be a number from 0 to 1")]
    [InlineData("""{"rubric":"r","output":"o","provider":"nope"}""", "provider 'nope' is not configured")]
    public async Task Judge_BadRequest_400WithUniformBody(string request, string message)
    {
        var response = await _http.PostAsync("/api/v1/evals/judge", Json(request));
        var body = await ErrorAsync(response);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        body.GetProperty("error_code").GetString().ShouldBe("VALIDATION_FAILED");
        body.GetProperty("message").GetString()!.ShouldContain(message);
    }

    private Task<HttpResponseMessage> PostYamlAsync(string yaml) =>
        _http.PostAsync("/api/v1/graphs", new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.TryGetProperty("error_code", out _).ShouldBeTrue();
        return body;
    }
}
