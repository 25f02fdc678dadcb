using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Shouldly;
using Warden.Functions.Tests.Engines;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Functions.Tests.Dispatcher;

/// <summary>
/// Two instances of the Functions app (each its own container, disk and Durable worker) on one storage account and
/// task hub, as Flex Consumption scales out: a run started through one instance's HTTP trigger is read, streamed,
/// approved and controlled through the other's, because nothing it needs lives on one instance.
/// </summary>
[Collection(AzuriteServer.Collection)]
public sealed class TwoInstancesTests(AzuriteServer azurite)
{
    [Fact]
    public async Task Run_StartedThroughOneInstance_IsReadStreamedApprovedAndControlledThroughAnother()
    {
        await using var first = await DurableWarden.StartAsync(azurite.ConnectionString);
        await using var second = await DurableWarden.StartAsync(azurite.ConnectionString, join: first);

        // Instance one: upload the graph and start a gated run.
        var (uploaded, _) = await first.CallTriggerAsync((t, r, c) => t.CreateGraph(r, c), "POST", "/api/v1/graphs", Scenarios.Gate("1h", "fail"), "application/yaml");
        var (started, start) = await first.CallTriggerAsync((t, r, c) => t.StartRun(r, c, "gate"), "POST", "/api/v1/graphs/gate/runs", """{"input":{"task":"ship"}}""");
        var runId = Json(start).GetProperty("run_id").GetString()!;

        // Instance two: find the approval, decide it, read the finished run and stream its timeline.
        var approvalId = await EventuallyAsync(async () =>
        {
            var (_, body) = await second.CallTriggerAsync((t, r, c) => t.ListRunApprovals(r, c, runId), "GET", $"/api/v1/runs/{runId}/approvals");
            return Json(body).GetProperty("items").EnumerateArray().FirstOrDefault(a => a.GetProperty("status").GetString() == "pending") is { ValueKind: JsonValueKind.Object } pending
                ? pending.GetProperty("approval_id").GetString()
                : null;
        });
        var (decided, _) = await second.CallTriggerAsync((t, r, c) => t.DecideApproval(r, c, approvalId), "POST", $"/api/v1/approvals/{approvalId}/decision", """{"decision":"approve","comment":"ok"}""");
        var finished = await EventuallyAsync(async () =>
        {
            var (_, body) = await second.CallTriggerAsync((t, r, c) => t.GetRun(r, c, runId), "GET", $"/api/v1/runs/{runId}");
            return Status(body) == "completed" ? body : null;
        });
        var (streamed, stream) = await second.CallTriggerAsync((t, r, c) => t.StreamRun(r, c, runId), "GET", $"/api/v1/runs/{runId}/stream");
        var (diffed, diff) = await second.CallTriggerAsync((t, r, c) => t.DiffRuns(r, c, runId, runId), "GET", $"/api/v1/runs/{runId}/diff/{runId}");
        var (reported, report) = await second.CallTriggerAsync((t, r, c) => t.GetRunCompliance(r, c, runId), "GET", $"/api/v1/runs/{runId}/compliance");
        var (again, secondDecision) = await first.CallTriggerAsync((t, r, c) => t.DecideApproval(r, c, approvalId), "POST", $"/api/v1/approvals/{approvalId}/decision", """{"decision":"reject"}""");

        uploaded.ShouldBe(StatusCodes.Status201Created);
        started.ShouldBeOneOf(StatusCodes.Status200OK, StatusCodes.Status202Accepted);
        decided.ShouldBe(StatusCodes.Status200OK);
        Json(finished).GetProperty("output").GetString().ShouldNotBeNullOrWhiteSpace();
        streamed.ShouldBe(StatusCodes.Status200OK);
        stream.ShouldContain("event: approval.approved");
        stream.ShouldContain("event: run.completed");
        diffed.ShouldBe(StatusCodes.Status200OK, diff);
        Json(diff).GetProperty("similarity").GetDouble().ShouldBe(1);
        Json(diff).GetProperty("identical").GetBoolean().ShouldBeTrue();
        reported.ShouldBe(StatusCodes.Status200OK, report);
        var approval = Json(report).GetProperty("approvals").EnumerateArray().Single();
        approval.GetProperty("status").GetString().ShouldBe("approved");
        approval.GetProperty("decided_by").GetString().ShouldNotBeNullOrWhiteSpace();
        Json(report).GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("action").GetString()).ShouldContain("approval.decided");
        again.ShouldBe(StatusCodes.Status409Conflict);

        // The orchestration's governance decision is in the tenant's chain (appended once, however often its write ran),
        // beside the API's own row for the request, and the chain verifies.
        var (_, audit) = await second.CallTriggerAsync((t, r, c) => t.ListAudit(r, c), "GET", "/api/v1/audit");
        var rows = Json(audit).GetProperty("items").EnumerateArray().ToList();
        rows.Count(r => r.GetProperty("action").GetString() == "approval.approved" && r.GetProperty("target").GetString() == approvalId).ShouldBe(1);
        rows.ShouldContain(r => r.GetProperty("action").GetString() == "approval.decided");
        var (_, verified) = await first.CallTriggerAsync((t, r, c) => t.VerifyAudit(r, c), "POST", "/api/v1/audit/verify");
        Json(verified).GetProperty("ok").GetBoolean().ShouldBeTrue(verified);
        Json(secondDecision).GetProperty("error_code").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Run_StartedThroughOneInstance_PausedAndResumedThroughAnother()
    {
        await using var first = await DurableWarden.StartAsync(azurite.ConnectionString);
        await using var second = await DurableWarden.StartAsync(azurite.ConnectionString, join: first);
        await first.CallTriggerAsync((t, r, c) => t.CreateGraph(r, c), "POST", "/api/v1/graphs", Scenarios.SlowFirst(latencyMs: 1500), "application/yaml");
        var (_, start) = await first.CallTriggerAsync((t, r, c) => t.StartRun(r, c, "slow-first"), "POST", "/api/v1/graphs/slow-first/runs", """{"input":{"task":"ship"}}""");
        var runId = Json(start).GetProperty("run_id").GetString()!;

        var (paused, _) = await second.CallTriggerAsync((t, r, c) => t.ControlRun(r, c, runId), "POST", $"/api/v1/runs/{runId}/control", """{"action":"pause","comment":"check the input"}""");
        await EventuallyAsync(async () =>
        {
            var (_, body) = await first.CallTriggerAsync((t, r, c) => t.GetRun(r, c, runId), "GET", $"/api/v1/runs/{runId}");
            return Status(body) == "paused" ? body : null;
        });
        var (resumed, _) = await second.CallTriggerAsync((t, r, c) => t.ControlRun(r, c, runId), "POST", $"/api/v1/runs/{runId}/control", """{"action":"resume"}""");
        var finished = await EventuallyAsync(async () =>
        {
            var (_, body) = await first.CallTriggerAsync((t, r, c) => t.GetRun(r, c, runId), "GET", $"/api/v1/runs/{runId}");
            return Status(body) == "completed" ? body : null;
        });
        var (_, events) = await second.CallTriggerAsync((t, r, c) => t.ListRunEvents(r, c, runId), "GET", $"/api/v1/runs/{runId}/events");

        paused.ShouldBe(StatusCodes.Status200OK);
        resumed.ShouldBe(StatusCodes.Status200OK);
        Json(finished).GetProperty("status").GetString().ShouldBe("completed");
        var types = Json(events).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        types.ShouldContain("run.paused");
        types.IndexOf("run.resumed").ShouldBeLessThan(types.LastIndexOf("node.started"));
    }

    [Fact]
    public async Task Guardrails_AfterARun_ShowTheBreakerAndTheTenantBudgetFromTheEntities()
    {
        await using var first = await DurableWarden.StartAsync(azurite.ConnectionString);
        await first.CallTriggerAsync((t, r, c) => t.CreateGraph(r, c), "POST", "/api/v1/graphs", Scenarios.Sequential, "application/yaml");
        var (_, start) = await first.CallTriggerAsync((t, r, c) => t.StartRun(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/runs", """{"input":{"task":"ship"},"wait_seconds":30}""");
        var runId = Json(start).GetProperty("run_id").GetString()!;
        await EventuallyAsync(async () =>
        {
            var (_, body) = await first.CallTriggerAsync((t, r, c) => t.GetRun(r, c, runId), "GET", $"/api/v1/runs/{runId}");
            return Status(body) == "completed" ? body : null;
        });

        // Settling is a signal the budget entity applies after the run's last step: look until the spend shows.
        var guardrails = await EventuallyAsync(async () =>
        {
            var (status, body) = await first.CallTriggerAsync((t, r, c) => t.GetGuardrails(r, c), "GET", "/api/v1/guardrails");
            status.ShouldBe(StatusCodes.Status200OK, body);
            var budgets = Json(body).GetProperty("budgets").EnumerateArray().ToList();
            return budgets.Any(b => b.GetProperty("spent_usd").GetDecimal() > 0) ? body : null;
        });

        var breakers = Json(guardrails).GetProperty("breakers").EnumerateArray().ToList();
        breakers.ShouldContain(b => b.GetProperty("key").GetString() == "mock");
        Json(guardrails).GetProperty("budgets").EnumerateArray().Select(b => b.GetProperty("scope").GetString()).ShouldContain(s => s!.StartsWith("budget:tenant:demo:", StringComparison.Ordinal));
    }

    private static JsonElement Json(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    /// <summary>A run's status from GET /runs/{id}; an error body fails the test with its error_code and message.</summary>
    private static string Status(string body) =>
        Json(body).TryGetProperty("status", out var status) ? status.GetString()! : throw new ShouldAssertException($"GET run answered {body}");

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the other instance never saw the expected state");
    }
}
