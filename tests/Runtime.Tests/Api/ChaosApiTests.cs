using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shouldly;
using Warden.Core.Audit;
using Warden.Core.Runs;
using Warden.Core.Serialization;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Api;

/// <summary>Chaos through the start-run API on a real Kestrel server: who may ask for it, how it is audited, what is refused.</summary>
public sealed class ChaosApiTests : IAsyncLifetime
{
    private const string AdminKey = "chaos-api-admin-key";
    private const string Chaos = """{"input":{"task":"x"},"chaos":{"provider_error_rate":0.3,"rate_limit_rate":0.2,"retry_after":"200ms"}}""";

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
        (await _http.PostAsync("/api/v1/graphs", new StringContent(Support.Graphs.Sequential(name: "api-seq", nodes: 2), Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("viewer")]
    [InlineData("api")]
    [InlineData("agent_manager")]
    public async Task StartRun_ChaosWithoutOperatorOrAdminRole_Forbidden(string role)
    {
        // Arrange
        using var caller = await ClientWithRoleAsync(role);

        // Act
        var response = await caller.PostAsync("/api/v1/graphs/api-seq/runs", Body(Chaos));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var plain = await caller.PostAsync("/api/v1/graphs/api-seq/runs", Body("""{"input":{"task":"x"}}"""));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        body.GetProperty("error_code").GetString().ShouldBe("FORBIDDEN");
        plain.StatusCode.ShouldBe(role == "viewer" ? HttpStatusCode.Forbidden : HttpStatusCode.Accepted);
        if (role != "viewer")
        {
            body.GetProperty("message").GetString()!.ShouldContain("chaos needs the admin or operator role");
        }
    }

    [Theory]
    [InlineData("operator", false)]
    [InlineData("api", false)]
    [InlineData("admin", true)]
    public async Task StartRun_Ungoverned_OnlyAdminMayStartOne(string role, bool allowed)
    {
        // Arrange
        using var caller = await ClientWithRoleAsync(role);

        // Act
        var response = await caller.PostAsync("/api/v1/graphs/api-seq/runs", Body("""{"input":{"task":"x"},"ungoverned":true}"""));
        var bad = await caller.PostAsync("/api/v1/graphs/api-seq/runs", Body("""{"input":{"task":"x"},"ungoverned":"yes"}"""));

        // Assert
        response.StatusCode.ShouldBe(allowed ? HttpStatusCode.Accepted : HttpStatusCode.Forbidden);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task StartRun_ChaosAsOperator_RunsWithItAndAnAuditRowNamesIt()
    {
        // Arrange
        using var operatorClient = await ClientWithRoleAsync("operator");

        // Act
        var response = await operatorClient.PostAsync("/api/v1/graphs/api-seq/runs", Body(Chaos));
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetString()!;
        var run = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        run.GetProperty("options").GetProperty("chaos").GetProperty("provider_error_rate").GetDouble().ShouldBe(0.3);
        var row = (await _app.Services.GetRequiredService<IAuditLog>().QueryAsync("demo", new AuditQuery(Action: "run.chaos"))).Items.ShouldHaveSingleItem();
        row.Target.ShouldBe(runId);
        row.Actor.ShouldStartWith("operator:");
        var expected = new { GraphId = "api-seq", chaos = new ChaosSettings(ProviderErrorRate: 0.3, RateLimitRate: 0.2, RetryAfter: TimeSpan.FromMilliseconds(200)) };
        row.PayloadHash.ShouldBe(AuditChain.HashPayload(WardenJson.Serialize(expected)));
    }

    [Fact]
    public async Task StartRun_CrashAfterStepsOnAServerThatDidNotOptIn_BadRequestBeforeAnyRun()
    {
        // Act
        var response = await _http.PostAsync("/api/v1/graphs/api-seq/runs", Body("""{"input":{"task":"x"},"chaos":{"crash_after_steps":1}}"""));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var runs = await _http.GetFromJsonAsync<JsonElement>("/api/v1/runs");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        body.GetProperty("error_code").GetString().ShouldBe("VALIDATION_FAILED");
        body.GetProperty("message").GetString()!.ShouldContain("WARDEN_CHAOS_CRASH=allow");
        runs.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("""{"error_rate":0.3}""", "chaos.error_rate is not a chaos setting")]
    [InlineData("""{"provider_error_rate":2}""", "chaos.provider_error_rate must be a number from 0 to 1")]
    [InlineData("""{"retry_after":"later"}""", "chaos.retry_after must be a duration")]
    [InlineData("""[1]""", "chaos must be an object")]
    public async Task StartRun_BadChaos_BadRequestNamingTheField(string chaos, string message)
    {
        // Act
        var response = await _http.PostAsync("/api/v1/graphs/api-seq/runs", Body($$"""{"input":{"task":"x"},"chaos":{{chaos}}}"""));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        body.GetProperty("message").GetString()!.ShouldContain(message);
    }

    [Fact]
    public async Task StartSuiteRun_ChaosCases_NeedTheRoleAndACrashCaseIsAnErrorNotAKill()
    {
        // Arrange
        const string suite = """
            name: chaos-suite
            graph: { id: api-seq }
            cases:
              - name: faults
                input: { task: x }
                chaos: { provider_error_rate: 0.3 }
                assert:
                  - status: completed
              - name: crash
                input: { task: x }
                chaos: { crash_after_steps: 1 }
                assert:
                  - status: completed
            """;
        (await _http.PostAsync("/api/v1/suites", new StringContent(suite, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();
        using var apiClient = await ClientWithRoleAsync("api");

        // Act
        var forbidden = await apiClient.PostAsync("/api/v1/suites/chaos-suite/runs", Body("{}"));
        var started = await _http.PostAsync("/api/v1/suites/chaos-suite/runs", Body("{}"));
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("suite_run_id").GetString()!;
        await _app.Services.GetRequiredService<Warden.Runtime.Testing.SuiteRunDispatcher>().WaitAsync(id);
        var result = (await _http.GetFromJsonAsync<JsonElement>($"/api/v1/suite-runs/{id}")).GetProperty("result");

        // Assert
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var cases = result.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        cases["faults"].GetProperty("passed").GetBoolean().ShouldBeTrue(result.ToString());
        cases["crash"].GetProperty("error").GetString()!.ShouldContain("runs only under `warden test`");
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<HttpClient> ClientWithRoleAsync(string role)
    {
        var key = await (await _http.PostAsync("/api/v1/keys", Body($$"""{"name":"{{role}}-key","role":"{{role}}"}"""))).Content.ReadFromJsonAsync<JsonElement>();
        var client = new HttpClient { BaseAddress = _http.BaseAddress };
        client.DefaultRequestHeaders.Add("X-API-Key", key.GetProperty("key").GetString());
        return client;
    }
}
