using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shouldly;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>GET /api/v1/runs/{id}/compliance on the real server for a run with PII in its input and a human approval.</summary>
public sealed class ComplianceEndToEndTests
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "warden-e2e-compliance-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public async Task Compliance_RedactedAndApprovedRun_ReportsBothWithTheirAuditRows()
    {
        using var server = await WardenServer.StartAsync(_dataDir, new Dictionary<string, string> { ["API_RATE_LIMIT_PER_MIN"] = "100000" });
        var http = server.Http;
        await server.UploadAsync("""
            name: pii-approval
            governance: { pii: { input: redact } }
            nodes:
              - { id: draft, role: writer, prompt: "Reply to {{input.customer}} about card {{input.card}}" }
              - { id: gate, kind: approval, message: send it? }
            edges: [ "draft -> gate" ]
            """);
        var runId = await server.StartRunAsync("pii-approval", """{"input":{"customer":"jane.doe@example.com","card":"4111 1111 1111 1111"}}""");
        var waiting = await server.WaitForAsync(runId, r => WardenServer.NodeStatus(r, "gate") == "waiting_approval");
        var approvalId = waiting.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("node_id").GetString() == "gate").GetProperty("approval_id").GetString()!;
        var reviewerKey = (await (await http.PostAsync("/api/v1/keys", new StringContent("""{"name":"rev","role":"reviewer"}""", Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using var reviewer = new HttpClient { BaseAddress = http.BaseAddress };
        reviewer.DefaultRequestHeaders.Add("X-API-Key", reviewerKey);
        (await reviewer.PostAsync($"/api/v1/approvals/{approvalId}/decision", new StringContent("""{"decision":"approve","comment":"redacted, ok"}""", Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await server.WaitForEndAsync(runId);

        var response = await reviewer.GetAsync($"/api/v1/runs/{runId}/compliance");
        var text = await response.Content.ReadAsStringAsync();
        var report = JsonDocument.Parse(text).RootElement;

        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var byKind = report.GetProperty("redactions").GetProperty("by_kind");
        byKind.GetProperty("email").GetInt32().ShouldBe(1);
        byKind.EnumerateObject().Select(p => p.Name).ShouldContain(k => k.Contains("card", StringComparison.Ordinal));
        text.ShouldNotContain("jane.doe@example.com");
        text.ShouldNotContain("4111 1111 1111 1111");
        var approval = report.GetProperty("approvals")[0];
        approval.GetProperty("status").GetString().ShouldBe("approved");
        approval.GetProperty("decided_by").GetString()!.ShouldStartWith("reviewer:");
        approval.GetProperty("comment").GetString().ShouldBe("redacted, ok");
        var audit = report.GetProperty("audit").EnumerateArray().Select(r => r.GetProperty("action").GetString()).ToList();
        audit.ShouldContain("run.started");
        audit.ShouldContain("governance.redacted");
        audit.ShouldContain("approval.decided");
        audit.ShouldContain("approval.approved");
    }
}
