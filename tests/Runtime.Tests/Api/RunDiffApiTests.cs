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

/// <summary>GET /api/v1/runs/{a}/diff/{b} and /runs/{id}/compliance on a real Kestrel server.</summary>
public sealed class RunDiffApiTests : IAsyncLifetime
{
    private const string AdminKey = "diff-test-admin-key";

    private const string PiiGate = """
        name: pii-gate
        governance: { pii: { input: redact, output: off } }
        nodes:
          - { id: draft, role: writer, prompt: "Reply to {{input.customer}} about {{input.topic}}" }
          - { id: gate, kind: approval, message: send the reply? }
          - { id: send, role: finalizer, prompt: "send {{nodes.draft.output}}" }
        edges: [ "draft -> gate", "gate -> send" ]
        """;

    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        EngineHostedService.ShowBootstrapKey = _ => { };
        var settings = new WardenSettings { DataDirectory = TestWarden.NewDataDirectory(), Url = "http://127.0.0.1:0", BootstrapApiKey = AdminKey, Synchronous = SqliteSynchronous.Normal };
        settings.Guardrails.ApiRequestsPerMinute = 100_000;
        _app = WardenWebHost.Build(settings, minimumLogLevel: LogLevel.Warning);
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
    public async Task Diff_RunsOnTwoVersions_200WithAddedNodeLineDiffsAndDeltas()
    {
        await UploadAsync(Support.Graphs.Sequential(name: "api-diff", nodes: 2));
        var a = await RunAsync("api-diff", seed: 1);
        await UploadAsync(Support.Graphs.Sequential(name: "api-diff", nodes: 3));
        var b = await RunAsync("api-diff", seed: 2);

        var response = await _http.GetAsync($"/api/v1/runs/{a}/diff/{b}");
        var diff = await response.Content.ReadFromJsonAsync<JsonElement>();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        diff.GetProperty("a").GetProperty("graph_version").GetInt64().ShouldBe(1);
        diff.GetProperty("b").GetProperty("graph_version").GetInt64().ShouldBe(2);
        diff.GetProperty("path").GetProperty("added").EnumerateArray().Select(e => e.GetString()).ShouldBe(["n3"]);
        var similarity = diff.GetProperty("similarity").GetDouble();
        similarity.ShouldBeInRange(0, 0.999);
        var nodes = diff.GetProperty("nodes").EnumerateArray().ToList();
        nodes.Select(n => n.GetProperty("node_id").GetString()).ShouldBe(["n1", "n2", "n3"]);
        nodes.ShouldContain(n => n.GetProperty("change").GetString() == "changed" && n.GetProperty("output_diff").GetArrayLength() > 0);
        diff.GetProperty("deltas").GetProperty("total_tokens").GetInt64().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Diff_MissingOrOtherTenantsRun_404LikeMissing()
    {
        await UploadAsync(Support.Graphs.Sequential(name: "mine", nodes: 1));
        var mine = await RunAsync("mine", seed: 1);
        var tenants = _app.Services.GetRequiredService<ITenantStore>();
        await tenants.CreateTenantAsync("diff-other", "Other");
        using var other = new HttpClient { BaseAddress = _http.BaseAddress };
        other.DefaultRequestHeaders.Add("X-API-Key", await tenants.IssueKeyAsync("diff-other", "o", "admin"));
        (await other.PostAsync("/api/v1/graphs", new StringContent(Support.Graphs.Sequential(name: "theirs", nodes: 1), Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();
        var theirs = (await (await other.PostAsync("/api/v1/graphs/theirs/runs", Json("""{"input":{"task":"x"},"wait_seconds":30}"""))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetString()!;

        var foreign = await _http.GetAsync($"/api/v1/runs/{mine}/diff/{theirs}");
        var missing = await _http.GetAsync($"/api/v1/runs/run_nope/diff/{mine}");
        var theirsOwn = await other.GetAsync($"/api/v1/runs/{theirs}/diff/{theirs}");

        foreign.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await foreign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_code").GetString().ShouldBe("NOT_FOUND");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        theirsOwn.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Compliance_RunWithPiiAndApproval_RedactionsByKindApprovalWithDeciderAndAuditRows()
    {
        await UploadAsync(PiiGate);
        var start = await _http.PostAsync("/api/v1/graphs/pii-gate/runs", Json("""{"input":{"customer":"jane.doe@example.com","topic":"refund"}}"""));
        var runId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetString()!;
        var approvalId = await PendingApprovalAsync(runId);
        (await _http.PostAsync($"/api/v1/approvals/{approvalId}/decision", Json("""{"decision":"approve","comment":"fine"}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await WaitForEndAsync(runId);

        var response = await _http.GetAsync($"/api/v1/runs/{runId}/compliance");
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        report.GetProperty("run").GetProperty("status").GetString().ShouldBe("completed");
        var redactions = report.GetProperty("redactions");
        redactions.GetProperty("by_kind").GetProperty("email").GetInt32().ShouldBe(1);
        var item = redactions.GetProperty("items")[0];
        item.GetProperty("node_id").GetString().ShouldBe("draft");
        item.GetProperty("direction").GetString().ShouldBe("input");
        report.ToString().ShouldNotContain("jane.doe@example.com");
        var approval = report.GetProperty("approvals").EnumerateArray().Single();
        approval.GetProperty("approval_id").GetString().ShouldBe(approvalId);
        approval.GetProperty("status").GetString().ShouldBe("approved");
        approval.GetProperty("decided_by").GetString()!.ShouldStartWith("admin:");
        approval.GetProperty("decided_at").GetString().ShouldNotBeNullOrEmpty();
        report.GetProperty("blocks").GetArrayLength().ShouldBe(0);
        var actions = report.GetProperty("audit").EnumerateArray().Select(r => (Action: r.GetProperty("action").GetString(), Target: r.GetProperty("target").GetString())).ToList();
        actions.ShouldContain(("run.started", runId));
        actions.ShouldContain(("governance.redacted", $"{runId}/draft"));
        actions.ShouldContain(("approval.decided", approvalId));
        actions.ShouldContain(("approval.approved", approvalId));
        report.GetProperty("audit").EnumerateArray().Select(r => r.GetProperty("seq").GetInt64()).ShouldBeInOrder();
    }

    [Fact]
    public async Task Compliance_PiiBlockedRun_BlockWithCodeAndItsAuditRow()
    {
        await UploadAsync("""
            name: pii-block
            governance: { pii: { input: block } }
            nodes: [ { id: answer, role: writer, prompt: "Reply to {{input.customer}}" } ]
            """);
        var start = await _http.PostAsync("/api/v1/graphs/pii-block/runs", Json("""{"input":{"customer":"jane.doe@example.com"},"wait_seconds":30}"""));
        var run = await start.Content.ReadFromJsonAsync<JsonElement>();
        var runId = run.GetProperty("run_id").GetString()!;

        var report = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}/compliance");

        run.GetProperty("status").GetString().ShouldBe("failed");
        var block = report.GetProperty("blocks").EnumerateArray().Single();
        block.GetProperty("code").GetString().ShouldBe("PII_BLOCKED");
        block.GetProperty("node_id").GetString().ShouldBe("answer");
        report.GetProperty("redactions").GetProperty("total").GetInt32().ShouldBe(0);
        report.GetProperty("audit").EnumerateArray().ShouldContain(r => r.GetProperty("action").GetString() == "governance.blocked" && r.GetProperty("target").GetString() == $"{runId}/answer");
        report.ToString().ShouldNotContain("jane.doe@example.com");
    }

    [Fact]
    public async Task Compliance_ToolDeniedByPolicy_PolicyDecisionAndBlock()
    {
        (await _http.PostAsync("/api/v1/tools", Json("""{"name":"crm.delete","action_class":"write","endpoint":"http://127.0.0.1:9/never"}"""))).StatusCode.ShouldBe(HttpStatusCode.Created);
        await UploadAsync("""
            name: denied-tool
            tool_policies: [ { tool: "crm.delete", decision: deny } ]
            nodes:
              - { id: plan, role: planner, prompt: "plan {{input.task}}" }
              - { id: wipe, kind: tool, tool: crm.delete }
            edges: [ "plan -> wipe" ]
            """);
        var run = await (await _http.PostAsync("/api/v1/graphs/denied-tool/runs", Json("""{"input":{"task":"clean up"},"wait_seconds":30}"""))).Content.ReadFromJsonAsync<JsonElement>();
        var runId = run.GetProperty("run_id").GetString()!;

        var report = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}/compliance");

        run.GetProperty("error_code").GetString().ShouldBe("POLICY_DENIED");
        var decision = report.GetProperty("policy_decisions").EnumerateArray().Single();
        decision.GetProperty("node_id").GetString().ShouldBe("wipe");
        decision.GetProperty("decision").GetString().ShouldBe("deny");
        report.GetProperty("blocks").EnumerateArray().ShouldContain(b => b.GetProperty("code").GetString() == "POLICY_DENIED");
        report.GetProperty("audit").EnumerateArray().ShouldContain(r => r.GetProperty("action").GetString() == "policy.denied" && r.GetProperty("target").GetString() == $"{runId}/wipe");
    }

    [Fact]
    public async Task Compliance_ViewerRole_403()
    {
        await UploadAsync(Support.Graphs.Sequential(name: "viewed", nodes: 1));
        var runId = await RunAsync("viewed", seed: 1);
        using var viewer = new HttpClient { BaseAddress = _http.BaseAddress };
        viewer.DefaultRequestHeaders.Add("X-API-Key", await _app.Services.GetRequiredService<ITenantStore>().IssueKeyAsync("demo", "v", "viewer"));

        (await viewer.GetAsync($"/api/v1/runs/{runId}/compliance")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await viewer.GetAsync($"/api/v1/runs/{runId}/diff/{runId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task UploadAsync(string yaml) =>
        (await _http.PostAsync("/api/v1/graphs", new StringContent(yaml, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();

    private async Task<string> RunAsync(string graph, long seed)
    {
        var response = await _http.PostAsync($"/api/v1/graphs/{graph}/runs", Json($$"""{"input":{"task":"sort numbers"},"seed":{{seed}},"wait_seconds":30}"""));
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        run.GetProperty("status").GetString().ShouldBe("completed");
        return run.GetProperty("run_id").GetString()!;
    }

    private async Task<string> PendingApprovalAsync(string runId)
    {
        for (var i = 0; i < 300; i++)
        {
            var items = (await _http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}/approvals")).GetProperty("items");
            if (items.GetArrayLength() > 0)
            {
                return items[0].GetProperty("approval_id").GetString()!;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"run {runId} asked for no approval");
    }

    private async Task WaitForEndAsync(string runId)
    {
        for (var i = 0; i < 300; i++)
        {
            var status = (await _http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}")).GetProperty("status").GetString();
            if (status is "completed" or "failed" or "stopped")
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"run {runId} did not end");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
