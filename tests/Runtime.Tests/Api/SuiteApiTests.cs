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
using Warden.Runtime.Testing;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Api;

/// <summary>Suites and suite runs through the HTTP API on a real Kestrel server, as `warden serve` hosts it.</summary>
public sealed class SuiteApiTests : IAsyncLifetime
{
    private const string AdminKey = "suite-api-admin-key";

    private const string Suite = """
        name: api-suite
        graph: { id: api-seq }
        cases:
          - name: good
            input: { task: plums }
            assert:
              - status: completed
              - contains: plums
                node: n1
          - name: bad
            input: { task: plums }
            assert:
              - equals: something else
        """;

    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        EngineHostedService.ShowBootstrapKey = _ => { };
        _app = WardenWebHost.Build(
            new WardenSettings { DataDirectory = TestWarden.NewDataDirectory(), Url = "http://127.0.0.1:0", BootstrapApiKey = AdminKey, Synchronous = SqliteSynchronous.Normal },
            minimumLogLevel: LogLevel.Warning);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        _http.DefaultRequestHeaders.Add("X-API-Key", AdminKey);
        (await PostYamlAsync("/api/v1/graphs", Support.Graphs.Sequential(name: "api-seq", nodes: 2))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task CreateSuite_SameThenChanged_201Then200Then201WithNextVersion()
    {
        // Act
        var first = await PostYamlAsync("/api/v1/suites", Suite);
        var same = await PostYamlAsync("/api/v1/suites", Suite);
        var changed = await PostYamlAsync("/api/v1/suites", Suite.Replace("plums", "figs", StringComparison.Ordinal));
        var list = await _http.GetFromJsonAsync<JsonElement>("/api/v1/suites");
        var got = await _http.GetFromJsonAsync<JsonElement>("/api/v1/suites/api-suite?version=1");

        // Assert
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        first.Headers.Location!.ToString().ShouldBe("/api/v1/suites/api-suite");
        same.StatusCode.ShouldBe(HttpStatusCode.OK);
        changed.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64().ShouldBe(2);
        list.GetProperty("items")[0].GetProperty("latest_version").GetInt64().ShouldBe(2);
        got.GetProperty("source").GetString()!.ShouldContain("plums");
        got.GetProperty("cases").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task CreateSuite_UnknownAssertion_400WithLineAndColumn()
    {
        // Act
        var response = await PostYamlAsync("/api/v1/suites", "name: s\ngraph: api-seq\ncases:\n  - name: c\n    assert:\n      - containz: x\n");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body.ToString());
        body.GetProperty("error_code").GetString().ShouldBe("SUITE_INVALID");
        var detail = body.GetProperty("details")[0];
        (detail.GetProperty("line").GetInt32(), detail.GetProperty("column").GetInt32()).ShouldBe((6, 9));
        detail.GetProperty("message").GetString()!.ShouldContain("unknown assertion kind 'containz'");
    }

    [Fact]
    public async Task StartSuiteRun_Finishes_PerCaseAndPerAssertionResults()
    {
        // Arrange
        (await PostYamlAsync("/api/v1/suites", Suite)).EnsureSuccessStatusCode();

        // Act
        var started = await _http.PostAsync("/api/v1/suites/api-suite/runs", new StringContent("""{"parallel":2}""", Encoding.UTF8, "application/json"));
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("suite_run_id").GetString()!;
        await _app.Services.GetRequiredService<SuiteRunDispatcher>().WaitAsync(id);
        var run = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/suite-runs/{id}");

        // Assert
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        started.Headers.Location!.ToString().ShouldBe($"/api/v1/suite-runs/{id}");
        run.GetProperty("status").GetString().ShouldBe("failed");
        var result = run.GetProperty("result");
        result.GetProperty("cases_passed").GetInt32().ShouldBe(1);
        var bad = result.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "bad");
        var assertion = bad.GetProperty("assertions")[0];
        assertion.GetProperty("passed").GetBoolean().ShouldBeFalse();
        assertion.GetProperty("expected").GetString().ShouldBe("something else");
        assertion.GetProperty("actual").GetString()!.ShouldNotBeNullOrEmpty();
        var caseRun = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{bad.GetProperty("run_id").GetString()}");
        caseRun.GetProperty("status").GetString().ShouldBe("completed");
        caseRun.GetProperty("tags").GetProperty("suite_run").GetString().ShouldBe(id);
        caseRun.GetProperty("tags").GetProperty("suite_case").GetString().ShouldBe("bad");
    }

    [Fact]
    public async Task StartSuiteRun_CaseMocksANode_NodeAnswersTheMockedReply()
    {
        // Arrange
        (await PostYamlAsync("/api/v1/suites", """
            name: mocked
            graph: { id: api-seq }
            cases:
              - name: scripted
                input: { task: plums }
                mock:
                  n1: { response: "the scripted reply", fail_first_attempts: 1 }
                assert:
                  - equals: the scripted reply
                    node: n1
                  - max_retries: 1
            """)).EnsureSuccessStatusCode();

        // Act
        var started = await _http.PostAsync("/api/v1/suites/mocked/runs", new StringContent("{}", Encoding.UTF8, "application/json"));
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("suite_run_id").GetString()!;
        await _app.Services.GetRequiredService<SuiteRunDispatcher>().WaitAsync(id);
        var run = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/suite-runs/{id}");

        // Assert
        run.GetProperty("status").GetString().ShouldBe("passed", customMessage: run.ToString());
    }

    [Fact]
    public async Task StartRun_MockNamesUnknownNode_400NamingTheNode()
    {
        // Act
        var response = await _http.PostAsync("/api/v1/graphs/api-seq/runs", new StringContent("""{"input":{},"mock":{"nine":{"response":"x"}}}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body.ToString());
        body.GetProperty("error_code").GetString().ShouldBe("VALIDATION_FAILED");
        body.GetProperty("message").GetString()!.ShouldContain("nine");
    }

    [Fact]
    public async Task ListSuiteRuns_CursorPaging_NewestFirstWithoutOverlap()
    {
        // Arrange
        (await PostYamlAsync("/api/v1/suites", Suite)).EnsureSuccessStatusCode();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var started = await _http.PostAsync("/api/v1/suites/api-suite/runs", new StringContent("""{"filter":"good"}""", Encoding.UTF8, "application/json"));
            ids.Add((await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("suite_run_id").GetString()!);
        }

        // Act
        var first = await _http.GetFromJsonAsync<JsonElement>("/api/v1/suite-runs?limit=2");
        var cursor = first.GetProperty("next_cursor").GetString()!;
        var second = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/suite-runs?limit=2&cursor={cursor}");

        // Assert
        var seen = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(r => r.GetProperty("suite_run_id").GetString()!).ToList();
        seen.Order().ShouldBe(ids.Order());
        (second.TryGetProperty("next_cursor", out var next) ? next.ValueKind : JsonValueKind.Null).ShouldBe(JsonValueKind.Null);
        foreach (var id in ids)
        {
            await _app.Services.GetRequiredService<SuiteRunDispatcher>().WaitAsync(id);
        }
    }

    [Fact]
    public async Task SuiteRoutes_OtherTenant_404AndViewerCannotUpload()
    {
        // Arrange
        (await PostYamlAsync("/api/v1/suites", Suite)).EnsureSuccessStatusCode();
        var started = await _http.PostAsync("/api/v1/suites/api-suite/runs", new StringContent("""{"filter":"good"}""", Encoding.UTF8, "application/json"));
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("suite_run_id").GetString()!;
        var tenant = await (await _http.PostAsync("/api/v1/tenants", new StringContent("""{"id":"t-other","name":"Other"}""", Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>();
        using var other = new HttpClient { BaseAddress = _http.BaseAddress };
        other.DefaultRequestHeaders.Add("X-API-Key", tenant.GetProperty("admin_key").GetString());
        var viewerKey = await (await _http.PostAsync("/api/v1/keys", new StringContent("""{"name":"v","role":"viewer"}""", Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>();
        using var viewer = new HttpClient { BaseAddress = _http.BaseAddress };
        viewer.DefaultRequestHeaders.Add("X-API-Key", viewerKey.GetProperty("key").GetString());

        // Act
        var suite = await other.GetAsync("/api/v1/suites/api-suite");
        var run = await other.GetAsync($"/api/v1/suite-runs/{id}");
        var start = await other.PostAsync("/api/v1/suites/api-suite/runs", null);
        var list = await other.GetFromJsonAsync<JsonElement>("/api/v1/suite-runs");
        using var upload = new StringContent(Suite, Encoding.UTF8, "application/yaml");
        var forbidden = await viewer.PostAsync("/api/v1/suites", upload);

        // Assert
        suite.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await suite.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_code").GetString().ShouldBe("NOT_FOUND");
        run.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        start.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        list.GetProperty("items").GetArrayLength().ShouldBe(0);
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await _app.Services.GetRequiredService<SuiteRunDispatcher>().WaitAsync(id);
    }

    private Task<HttpResponseMessage> PostYamlAsync(string path, string yaml) =>
        _http.PostAsync(path, new StringContent(yaml, Encoding.UTF8, "application/yaml"));
}
