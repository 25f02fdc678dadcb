using Shouldly;
using Warden.Core.Runs;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Providers;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Guardrails;

/// <summary>Tool steps under the graph's tool policies, calling a real HTTP tool endpoint on loopback.</summary>
public sealed class ToolPolicyEngineTests
{
    private static string Graph(string decision) => $$$"""
        name: tooling
        tool_policies:
          - { tool: "*", action: write, decision: {{{decision}}} }
          - { tool: "crm.lookup", action: "*", decision: allow }
        nodes:
          - { id: plan, role: planner, prompt: "plan {{input.task}}" }
          - { id: update, kind: tool, tool: crm.update, input: "{{nodes.plan.output}}" }
          - { id: report, role: finalizer, prompt: "report {{upstream}}" }
        edges: [ "plan -> update", "update -> report" ]
        """;

    [Fact]
    public async Task Run_WriteToolUnderRequireApproval_WaitsAndCallsToolOnlyAfterApproval()
    {
        await using var tool = await FakeProviderServer.StartAsync();
        tool.Reply = ctx => FakeProviderServer.Respond(ctx, 200, """{"updated":true}""");
        await using var warden = await TestWarden.StartAsync();
        await RegisterToolAsync(warden, "crm.update", "write", tool.BaseUrl + "update");
        await warden.UploadAsync(Graph("require_approval"));
        var runId = (await warden.StartAsync("tooling")).RunId;

        await warden.WaitForAsync(runId, _ => warden.Runs.ListApprovalsAsync("demo", runId, "pending").Result.Count == 1);
        var callsBeforeApproval = tool.Received.Count;
        var approval = (await warden.Runs.ListApprovalsAsync("demo", runId, "pending")).Single();
        await warden.Engine.SignalAsync("demo", runId, new SignalReceived(SignalKind.Approve, "reviewer:test", approval.Id));
        var run = await warden.WaitForEndAsync(runId);

        callsBeforeApproval.ShouldBe(0);
        approval.Message.ShouldContain("crm.update");
        run.Status.ShouldBe("completed");
        tool.Received.ShouldHaveSingleItem().Path.ShouldBe("/update");
        tool.Received[0].Json.GetProperty("input").GetString()!.ShouldStartWith("Plan for plan");
        (await warden.EventsAsync(runId)).Single(e => e.Type == "node.completed" && e.NodeId == "update").Data!.ShouldContain("\"provider\":\"tool\"");
    }

    [Fact]
    public async Task Run_DeniedWriteTool_FailsWithPolicyDeniedAndNeverCallsTool()
    {
        await using var tool = await FakeProviderServer.StartAsync();
        await using var warden = await TestWarden.StartAsync();
        await RegisterToolAsync(warden, "crm.update", "write", tool.BaseUrl + "update");
        await warden.UploadAsync(Graph("deny"));

        var run = await warden.WaitForEndAsync((await warden.StartAsync("tooling")).RunId);

        run.Status.ShouldBe("failed");
        run.ErrorCode.ShouldBe("POLICY_DENIED");
        run.Error!.ShouldContain("crm.update");
        tool.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task Run_ToolOfAnotherTenant_IsDenied()
    {
        await using var tool = await FakeProviderServer.StartAsync();
        await using var warden = await TestWarden.StartAsync();
        await warden.Tenants.CreateTenantAsync("other", "Other");
        await RegisterToolAsync(warden, "crm.update", "read", tool.BaseUrl + "update", tenant: "other");
        await warden.UploadAsync(Graph("allow"));

        var run = await warden.WaitForEndAsync((await warden.StartAsync("tooling")).RunId);

        run.ErrorCode.ShouldBe("POLICY_DENIED");
        run.Error!.ShouldContain("not registered for this tenant");
        tool.Received.ShouldBeEmpty();
    }

    private static async Task RegisterToolAsync(TestWarden warden, string name, string actionClass, string endpoint, string tenant = "demo")
    {
        var now = DateTimeOffset.UtcNow.ToString("O");
        var record = new ToolRecord { Name = name, ActionClass = actionClass, Endpoint = endpoint, CreatedAt = now, UpdatedAt = now };
        (await warden.Catalog.SaveToolAsync(tenant, record, create: true)).ShouldBeTrue();
    }
}
