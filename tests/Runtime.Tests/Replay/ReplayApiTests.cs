using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Providers;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Providers;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Replay;

/// <summary>
/// Replay on the embedded engine through the real HTTP API: a source run calls a local server speaking OpenAI's
/// chat-completions wire format; its candidate replays are answered from its recording where (node, visit, prompt) match.
/// </summary>
public sealed class ReplayApiTests : IAsyncLifetime
{
    private const string AdminKey = "replay-test-admin-key";

    private const string Chain = """
        name: replay-chain
        defaults: { retries: 0, provider: openai, model: gpt-4o-mini }
        nodes:
          - { id: plan, role: planner, prompt: "Plan {{input.task}}" }
          - { id: write, role: writer, prompt: "Write up {{nodes.plan.output}}" }
        edges: [ "plan -> write" ]
        """;

    private FakeProviderServer _provider = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private int _replies;

    public async Task InitializeAsync()
    {
        _provider = await FakeProviderServer.StartAsync();
        _provider.Reply = ctx => FakeProviderServer.Respond(
            ctx, 200, OpenAiLlmClientTests.Completion(JsonSerializer.Serialize($"reply {Interlocked.Increment(ref _replies)}"), "null", "stop", 12, 8));
        EngineHostedService.ShowBootstrapKey = _ => { };
        var settings = new WardenSettings { DataDirectory = TestWarden.NewDataDirectory(), Url = "http://127.0.0.1:0", BootstrapApiKey = AdminKey, Synchronous = SqliteSynchronous.Normal };
        settings.Guardrails.ApiRequestsPerMinute = 100_000;
        var baseUrl = new Uri(_provider.BaseUrl, "/v1").ToString();
        _app = WardenWebHost.Build(settings, minimumLogLevel: LogLevel.Warning, environment: name => name switch
        {
            "OPENAI_API_KEY" => "sk-test",
            "OPENAI_BASE_URL" => baseUrl,
            _ => null,
        });
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        _http.DefaultRequestHeaders.Add("X-API-Key", AdminKey);
        await UploadAsync(Chain);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task Replay_CandidateWithSamePrompts_AnsweredFromRecordingWithNoProviderCallAndNoCost()
    {
        // Arrange
        var source = await RunAsync("replay-chain");
        _provider.Received.Count.ShouldBe(2);

        // Act
        var (status, replay) = await ReplayAsync(source, """{"mode":"candidate","version":1,"on_miss":"fail","wait_seconds":30}""");

        // Assert
        status.ShouldBe(HttpStatusCode.OK);
        replay.GetProperty("status").GetString().ShouldBe("completed");
        replay.GetProperty("replay").GetProperty("replayed").GetInt32().ShouldBe(2);
        replay.GetProperty("replay").GetProperty("called").GetInt32().ShouldBe(0);
        replay.GetProperty("recording_id").GetString()!.ShouldStartWith("rec_");
        _provider.Received.Count.ShouldBe(2);
        var runs = _app.Services.GetRequiredService<IRunStore>();
        var (original, replayed) = (await runs.GetAsync("demo", source), await runs.GetAsync("demo", replay.GetProperty("run_id").GetString()!));
        replayed!.Output.ShouldBe(original!.Output);
        (replayed.InputTokens + replayed.OutputTokens).ShouldBe(0);
        decimal.Parse(replayed.CostUsd, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(0m);
        var diff = await _http.GetFromJsonAsync<JsonElement>(replay.GetProperty("links").GetProperty("diff").GetString());
        diff.GetProperty("nodes").EnumerateArray().ShouldAllBe(n => n.GetProperty("change").GetString() == "unchanged");
    }

    [Theory]
    [InlineData("fail", "failed", 0)]
    [InlineData("call", "completed", 1)]
    public async Task Replay_CandidateWithChangedPrompt_MissGoesToProviderOrFailsReplayMiss(string onMiss, string expectedStatus, int providerCalls)
    {
        // Arrange: version 2 changes the second node's prompt; the first still matches its recording.
        var source = await RunAsync("replay-chain");
        await UploadAsync(Chain.Replace("Write up {{nodes.plan.output}}", "Write a haiku about {{nodes.plan.output}}", StringComparison.Ordinal));
        var before = _provider.Received.Count;

        // Act
        var (_, replay) = await ReplayAsync(source, $$"""{"version":2,"on_miss":"{{onMiss}}","wait_seconds":30}""");

        // Assert
        replay.GetProperty("status").GetString().ShouldBe(expectedStatus);
        replay.GetProperty("graph_version").GetInt64().ShouldBe(2);
        replay.GetProperty("replay").GetProperty("replayed").GetInt32().ShouldBe(1);
        replay.GetProperty("replay").GetProperty("missed").GetInt32().ShouldBe(onMiss == "fail" ? 1 : 0);
        (_provider.Received.Count - before).ShouldBe(providerCalls);
        var run = await _app.Services.GetRequiredService<IRunStore>().GetAsync("demo", replay.GetProperty("run_id").GetString()!);
        run!.ErrorCode.ShouldBe(onMiss == "fail" ? "REPLAY_MISS" : null);
        var timeline = await _app.Services.GetRequiredService<IRunStore>().ListEventsAsync("demo", run.Id, 0, 1000);
        timeline.Count(e => e.Type == "replay.missed").ShouldBe(onMiss == "fail" ? 1 : 0);
        timeline.ShouldNotContain(e => e.Type == "governance.blocked"); // a missing recording is not a governance block
    }

    [Fact]
    public async Task Export_ThenUploadAndStartWithIt_RecordedResponsesAnswerTheNewRun()
    {
        // Arrange
        var source = await RunAsync("replay-chain");
        var export = await _http.GetAsync($"/api/v1/runs/{source}/recording");
        export.StatusCode.ShouldBe(HttpStatusCode.OK);
        var file = await export.Content.ReadAsStringAsync();
        var recording = JsonDocument.Parse(file).RootElement;
        recording.GetProperty("schema_version").GetInt32().ShouldBe(1);
        recording.GetProperty("calls").GetArrayLength().ShouldBe(2);
        recording.GetProperty("events").GetArrayLength().ShouldBeGreaterThan(2);
        var calls = _provider.Received.Count;

        // Act
        var upload = await _http.PostAsync("/api/v1/recordings", new StringContent(file, Encoding.UTF8, "application/json"));
        var again = await _http.PostAsync("/api/v1/recordings", new StringContent(file, Encoding.UTF8, "application/json"));
        var id = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("recording_id").GetString()!;
        var start = await _http.PostAsync("/api/v1/graphs/replay-chain/runs", Json($$"""{"input":{{recording.GetProperty("input").GetString()}},"seed":{{recording.GetProperty("seed")}},"replay":{"recording_id":"{{id}}","on_miss":"fail"},"wait_seconds":30}"""));
        var run = await start.Content.ReadFromJsonAsync<JsonElement>();

        // Assert
        upload.StatusCode.ShouldBe(HttpStatusCode.Created);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        run.GetProperty("status").GetString().ShouldBe("completed", run.ToString());
        _provider.Received.Count.ShouldBe(calls);
    }

    [Fact]
    public async Task Replay_OtherTenantsRunOrRecording_404LikeMissing()
    {
        // Arrange
        var mine = await RunAsync("replay-chain");
        var tenants = _app.Services.GetRequiredService<ITenantStore>();
        await tenants.CreateTenantAsync("replay-other", "Other");
        using var other = new HttpClient { BaseAddress = _http.BaseAddress };
        other.DefaultRequestHeaders.Add("X-API-Key", await tenants.IssueKeyAsync("replay-other", "o", "admin"));
        var file = await _http.GetStringAsync($"/api/v1/runs/{mine}/recording");
        var id = (await (await _http.PostAsync("/api/v1/recordings", new StringContent(file, Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("recording_id").GetString();
        (await other.PostAsync("/api/v1/graphs", new StringContent(Chain, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();

        // Act
        var export = await other.GetAsync($"/api/v1/runs/{mine}/recording");
        var replay = await other.PostAsync($"/api/v1/runs/{mine}/replay", Json("""{"mode":"exact"}"""));
        var start = await other.PostAsync("/api/v1/graphs/replay-chain/runs", Json($$$"""{"input":{},"replay":{"recording_id":"{{{id}}}"}}"""));
        var invalid = await _http.PostAsync("/api/v1/recordings", Json("""{"schema_version":99,"graph_id":"x","input":"{}","calls":[]}"""));

        // Assert
        export.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        replay.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        start.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_code").GetString().ShouldBe("NOT_FOUND");
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_code").GetString().ShouldBe("RECORDING_INVALID");
    }

    /// <summary>
    /// A test over every run in the test database: after a mixed workload (retries, a loop, an approval, parallel branches,
    /// replays that hit and miss), each run's recorded history, re-driven through the decider, decides exactly as it did.
    /// </summary>
    [Fact]
    public async Task ReplayExact_EveryRunAfterMixedWorkload_Identical()
    {
        // Arrange
        await UploadAsync(Support.Graphs.Sequential(name: "retrying", nodes: 3, mock: "{ fail_first_attempts: 1 }", retry: "retry: { max_attempts: 3, initial_backoff: 10ms, max_backoff: 20ms }"));
        await UploadAsync("""
            name: branches
            defaults: { retries: 0 }
            nodes:
              - { id: a, role: planner, prompt: "Plan {{input.task}}" }
              - { id: b, role: researcher, prompt: "Branch one of {{nodes.a.output}}" }
              - { id: c, role: coder, prompt: "Branch two of {{nodes.a.output}}" }
              - { id: d, role: finalizer, prompt: "Join {{upstream}}" }
            edges: [ "a -> b", "a -> c", "b -> d", "c -> d" ]
            """);
        await UploadAsync("""
            name: looping
            defaults: { retries: 0 }
            nodes:
              - { id: plan, role: planner, prompt: "Plan {{input.task}}" }
              - { id: code, role: coder, prompt: "Code {{nodes.plan.output}}" }
              - { id: review, role: reviewer, prompt: "Review {{nodes.code.output}}", mock: { response: "VERDICT: revise" } }
              - { id: publish, role: finalizer, prompt: Publish }
            edges:
              - plan -> code
              - code -> review
              - { from: review, to: publish, when: output.verdict == pass }
              - { from: review, to: code, when: output.verdict == revise, max_traversals: 2 }
            """);
        await UploadAsync(Support.Graphs.Gate);
        var (retrying, loop) = (await RunAsync("retrying"), await RunAsync("looping"));
        var started = new List<string> { retrying, loop, await RunAsync("branches"), await RunAsync("replay-chain") };
        var gated = await StartAsync("gated");
        var approval = await PendingApprovalAsync(gated);
        (await _http.PostAsync($"/api/v1/approvals/{approval}/decision", Json("""{"decision":"approve"}"""))).EnsureSuccessStatusCode();
        await WaitForEndAsync(gated);
        var (_, hit) = await ReplayAsync(started[^1], """{"version":1,"on_miss":"fail","wait_seconds":30}""");
        await WaitForEndAsync(hit.GetProperty("run_id").GetString()!);
        await using (var connection = _app.Services.GetRequiredService<SqliteDatabase>().Open())
        {
            started = (await connection.QueryAsync<string>("SELECT id FROM runs")).AsList();
        }

        // Act
        var reports = new List<JsonElement>();
        foreach (var runId in started)
        {
            reports.Add((await ReplayAsync(runId, """{"mode":"exact"}""")).Body);
        }

        // Assert
        reports.Count.ShouldBeGreaterThanOrEqualTo(6);
        foreach (var report in reports)
        {
            report.GetProperty("identical").GetBoolean().ShouldBeTrue(report.ToString());
            report.GetProperty("decisions").GetInt32().ShouldBeGreaterThan(1);
        }

        var looped = await _app.Services.GetRequiredService<IRunStore>().ListEventsAsync("demo", loop, 0, 1000);
        looped.Count(e => e.Type == "node.started" && e.NodeId == "code").ShouldBeGreaterThan(1);
        var retried = await _app.Services.GetRequiredService<IRunStore>().ListEventsAsync("demo", retrying, 0, 1000);
        retried.ShouldContain(e => e.Type == "node.failed");
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> ReplayAsync(string runId, string body)
    {
        var response = await _http.PostAsync($"/api/v1/runs/{runId}/replay", Json(body));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task UploadAsync(string yaml)
    {
        var response = await _http.PostAsync("/api/v1/graphs", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
    }

    private async Task<string> StartAsync(string graphId)
    {
        var response = await _http.PostAsync($"/api/v1/graphs/{graphId}/runs", Json("""{"input":{"task":"ship it"},"seed":5}"""));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetString()!;
    }

    private async Task<string> RunAsync(string graphId)
    {
        var runId = await StartAsync(graphId);
        await WaitForEndAsync(runId);
        return runId;
    }

    private async Task WaitForEndAsync(string runId)
    {
        var runs = _app.Services.GetRequiredService<IRunStore>();
        var engine = _app.Services.GetRequiredService<Runtime.Engine.IRunEngine>();
        for (var i = 0; i < 300; i++)
        {
            if (await runs.GetAsync("demo", runId) is { Status: "completed" or "failed" or "stopped" })
            {
                return;
            }

            await engine.WaitForChangeAsync(runId, TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"run {runId} did not end");
    }

    private async Task<string> PendingApprovalAsync(string runId)
    {
        for (var i = 0; i < 300; i++)
        {
            var list = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}/approvals");
            if (list.GetProperty("items").EnumerateArray().FirstOrDefault(a => a.GetProperty("status").GetString() == "pending") is { ValueKind: JsonValueKind.Object } pending)
            {
                return pending.GetProperty("approval_id").GetString()!;
            }

            await _app.Services.GetRequiredService<Runtime.Engine.IRunEngine>().WaitForChangeAsync(runId, TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"run {runId} asked for no approval");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
