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

/// <summary>The audit log through the HTTP API on a real Kestrel server: what is recorded, reading, verifying, tampering.</summary>
public sealed class AuditApiTests : IAsyncLifetime
{
    private const string AdminKey = "audit-test-admin-key";
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    private ITenantStore Tenants => _app.Services.GetRequiredService<ITenantStore>();

    public async Task InitializeAsync()
    {
        EngineHostedService.ShowBootstrapKey = _ => { };
        _app = WardenWebHost.Build(
            new WardenSettings { DataDirectory = TestWarden.NewDataDirectory(), Url = "http://127.0.0.1:0", BootstrapApiKey = AdminKey, Synchronous = SqliteSynchronous.Normal },
            minimumLogLevel: LogLevel.Warning);
        await _app.StartAsync();
        _http = Client(AdminKey);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task StateChangingRequests_EachAuditedOnceWithTheCallersActor()
    {
        // Arrange
        await PostYamlAsync(Support.Graphs.Sequential(name: "audited", nodes: 1));
        var runId = await StartRunAsync("audited", wait: true);
        (await _http.PutAsync("/api/v1/budgets/tenant", Json("""{"max_cost_usd":100}"""))).EnsureSuccessStatusCode();
        (await _http.PostAsync("/api/v1/guardrails/breakers/openai/reset", null)).EnsureSuccessStatusCode();
        await PostYamlAsync(Support.Graphs.Gate);
        var gatedRunId = await StartRunAsync("gated", wait: false);
        var approvalId = await PendingApprovalAsync(gatedRunId);
        (await _http.PostAsync($"/api/v1/approvals/{approvalId}/decision", Json("""{"decision":"approve","comment":"looks right"}"""))).EnsureSuccessStatusCode();
        var stoppableRunId = await StartRunAsync("gated", wait: false);
        await PendingApprovalAsync(stoppableRunId);
        (await _http.PostAsync($"/api/v1/runs/{stoppableRunId}/control", Json("""{"action":"stop"}"""))).EnsureSuccessStatusCode();

        // Act
        var rows = await ListAsync("/api/v1/audit?limit=500");

        // Assert
        var byAction = rows.Where(r => r.GetProperty("actor").GetString()!.StartsWith("admin:key_", StringComparison.Ordinal))
            .GroupBy(r => r.GetProperty("action").GetString()!)
            .ToDictionary(g => g.Key, g => g.Select(r => r.GetProperty("target").GetString()!).ToList());
        byAction["graph.uploaded"].ShouldBe(["gated", "audited"]);
        byAction["run.started"].ShouldBe([stoppableRunId, gatedRunId, runId]);
        byAction["budget.set"].ShouldBe(["tenant"]);
        byAction["breaker.reset"].ShouldBe(["openai"]);
        byAction["approval.decided"].ShouldBe([approvalId]);
        byAction["approval.approved"].ShouldBe([approvalId]); // the engine's row, committed with the decision
        byAction["run.controlled"].ShouldBe([stoppableRunId]);
        rows.ShouldContain(r => r.GetProperty("action").GetString() == "approval.cancelled" && r.GetProperty("actor").GetString() == "system");
        rows.Select(r => r.GetProperty("seq").GetInt64()).ShouldBe(Enumerable.Range(1, rows.Count).Reverse().Select(i => (long)i));
    }

    [Fact]
    public async Task FailedOrReadOnlyRequests_NotAudited()
    {
        // Arrange
        await PostYamlAsync(Support.Graphs.Sequential(name: "once", nodes: 1));
        var before = (await ListAsync("/api/v1/audit")).Count;

        // Act
        await PostYamlAsync(Support.Graphs.Sequential(name: "once", nodes: 1)); // unchanged: no new version
        await PostYamlAsync("name: bad\nnodes: []\n");
        await _http.GetAsync("/api/v1/graphs");
        await _http.PostAsync("/api/v1/graphs/missing/runs", Json("{}"));
        await _http.PutAsync("/api/v1/budgets/bogus", Json("""{"max_cost_usd":1}"""));

        // Assert
        (await ListAsync("/api/v1/audit")).Count.ShouldBe(before);
    }

    [Fact]
    public async Task Verify_AfterRequests_OkWithEveryEntryAndTheHead()
    {
        // Arrange
        await PostYamlAsync(Support.Graphs.Sequential(name: "verified", nodes: 1));
        await StartRunAsync("verified", wait: true);
        var rows = await ListAsync("/api/v1/audit");

        // Act
        var result = await VerifyAsync(_http);

        // Assert
        result.GetProperty("ok").GetBoolean().ShouldBeTrue();
        result.GetProperty("entries").GetInt64().ShouldBe(rows.Count);
        result.GetProperty("head_hash").GetString().ShouldBe(rows[0].GetProperty("hash").GetString());
    }

    [Fact]
    public async Task Verify_OneRowChangedInTheDatabaseFile_NamesThatRow()
    {
        // Arrange: four requests, four rows; then someone with the file rewrites who uploaded the graph.
        await PostYamlAsync(Support.Graphs.Sequential(name: "tampered", nodes: 1));
        await StartRunAsync("tampered", wait: true);
        await StartRunAsync("tampered", wait: true);
        (await _http.PutAsync("/api/v1/budgets/tenant", Json("""{"max_cost_usd":5}"""))).EnsureSuccessStatusCode();
        (await VerifyAsync(_http)).GetProperty("ok").GetBoolean().ShouldBeTrue();
        AuditFile.Tamper(_app.Services.GetRequiredService<SqliteDatabase>(), "demo", 2, "actor", "viewer:key_innocent");

        // Act
        var result = await VerifyAsync(_http);

        // Assert
        result.GetProperty("ok").GetBoolean().ShouldBeFalse();
        result.GetProperty("broken_at").GetInt64().ShouldBe(2);
        result.GetProperty("kind").GetString().ShouldBe("hash_mismatch");
        result.GetProperty("entries").GetInt64().ShouldBe(1);
        result.GetProperty("reason").GetString()!.ShouldContain("hash does not match");
    }

    [Fact]
    public async Task Audit_OtherTenant_NeverSeesOrVerifiesAnotherTenantsRows()
    {
        // Arrange
        await PostYamlAsync(Support.Graphs.Sequential(name: "demo-secret-graph", nodes: 1));
        await Tenants.CreateTenantAsync("other", "Other");
        using var other = Client(await Tenants.IssueKeyAsync("other", "k", "admin"));
        (await other.PostAsync("/api/v1/graphs", new StringContent(Support.Graphs.Sequential(name: "other-graph", nodes: 1), Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();
        AuditFile.Tamper(_app.Services.GetRequiredService<SqliteDatabase>(), "demo", 1, "target", "forged");

        // Act
        var otherText = await other.GetStringAsync("/api/v1/audit?limit=500");
        var otherVerify = await VerifyAsync(other);
        var demoRows = await ListAsync("/api/v1/audit?limit=500");

        // Assert
        var otherRows = JsonDocument.Parse(otherText).RootElement.GetProperty("items").EnumerateArray().ToList();
        otherRows.Single().GetProperty("seq").GetInt64().ShouldBe(1);
        otherRows.Single().GetProperty("tenant_id").GetString().ShouldBe("other");
        otherText.ShouldNotContain("demo");
        otherText.ShouldNotContain("forged");
        otherVerify.GetProperty("ok").GetBoolean().ShouldBeTrue();
        otherVerify.GetProperty("entries").GetInt64().ShouldBe(1);
        demoRows.ShouldAllBe(r => r.GetProperty("tenant_id").GetString() == "demo");
        (await other.GetFromJsonAsync<JsonElement>("/api/v1/audit?target=demo-secret-graph")).GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task List_FiltersAndCursor_PageThroughMatchingRows()
    {
        // Arrange
        await PostYamlAsync(Support.Graphs.Sequential(name: "paged", nodes: 1));
        for (var i = 0; i < 3; i++)
        {
            await StartRunAsync("paged", wait: false);
        }

        // Act
        var page1 = await _http.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=run.started&limit=2");
        var page2 = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/audit?action=run.started&limit=2&cursor={page1.GetProperty("next_cursor").GetString()}");
        var prefix = await _http.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=graph.*");

        // Assert
        page1.GetProperty("items").GetArrayLength().ShouldBe(2);
        page2.GetProperty("items").GetArrayLength().ShouldBe(1);
        page2.TryGetProperty("next_cursor", out _).ShouldBeFalse();
        page1.GetProperty("items").EnumerateArray().Concat(page2.GetProperty("items").EnumerateArray())
            .ShouldAllBe(r => r.GetProperty("action").GetString() == "run.started");
        prefix.GetProperty("items").EnumerateArray().Single().GetProperty("target").GetString().ShouldBe("paged");
    }

    [Theory]
    [InlineData("/api/v1/audit?limit=0")]
    [InlineData("/api/v1/audit?from=yesterday")]
    [InlineData("/api/v1/audit?cursor=abc")]
    public async Task List_BadQuery_400(string url)
    {
        var response = await _http.GetAsync(url);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_code").GetString().ShouldBe("VALIDATION_FAILED");
    }

    [Theory]
    [InlineData("admin", HttpStatusCode.OK)]
    [InlineData("operator", HttpStatusCode.OK)]
    [InlineData("reviewer", HttpStatusCode.OK)]
    [InlineData("agent_manager", HttpStatusCode.Forbidden)]
    [InlineData("viewer", HttpStatusCode.Forbidden)]
    [InlineData("api", HttpStatusCode.Forbidden)]
    public async Task Audit_ByRole_OnlyAdminOperatorAndReviewerMayReadAndVerify(string role, HttpStatusCode expected)
    {
        // Arrange
        using var client = Client(await Tenants.IssueKeyAsync("demo", role, role));

        // Act
        var list = await client.GetAsync("/api/v1/audit");
        var verify = await client.PostAsync("/api/v1/audit/verify", null);

        // Assert
        list.StatusCode.ShouldBe(expected);
        verify.StatusCode.ShouldBe(expected);
    }

    private HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    private async Task PostYamlAsync(string yaml) =>
        await _http.PostAsync("/api/v1/graphs", new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    private async Task<string> StartRunAsync(string graphId, bool wait)
    {
        var response = await _http.PostAsync($"/api/v1/graphs/{graphId}/runs", Json(wait ? """{"input":{"task":"t"},"wait_seconds":20}""" : """{"input":{"task":"t"}}"""));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.IsSuccessStatusCode.ShouldBeTrue(body.ToString());
        return body.GetProperty("run_id").GetString()!;
    }

    private async Task<string> PendingApprovalAsync(string runId)
    {
        for (var i = 0; i < 200; i++)
        {
            var items = (await _http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}/approvals")).GetProperty("items");
            if (items.GetArrayLength() > 0)
            {
                return items[0].GetProperty("approval_id").GetString()!;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"run {runId} never asked for approval");
    }

    private async Task<List<JsonElement>> ListAsync(string url) =>
        (await _http.GetFromJsonAsync<JsonElement>(url)).GetProperty("items").EnumerateArray().ToList();

    private static async Task<JsonElement> VerifyAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/v1/audit/verify", null);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
