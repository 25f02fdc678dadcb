using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Warden.Runtime.Api;

namespace Warden.Functions.Http;

/// <summary>
/// The HTTP API on the Functions host: each route of <see cref="WardenApiRoutes"/>, at the same path (host.json sets
/// routePrefix to ""), bound to the same <see cref="WardenApi"/> handler. Authentication, errors and rate-limit headers
/// are the handler's; nothing here but bindings.
/// </summary>
public sealed class ApiTriggers(WardenApi api)
{
    [Function(nameof(Health))]
    public static IActionResult Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req) =>
        new ApiResult(WardenApi.Health());

    [Function(nameof(CreateGraph))]
    public Task<IActionResult> CreateGraph([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/graphs")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.CreateGraphAsync(req.HttpContext));

    [Function(nameof(ListGraphs))]
    public Task<IActionResult> ListGraphs([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/graphs")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.ListGraphsAsync(req.HttpContext));

    [Function(nameof(GetGraph))]
    public Task<IActionResult> GetGraph([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/graphs/{graphId}")] HttpRequest req, [DurableClient] DurableTaskClient client, string graphId) =>
        ApiResult.RespondAsync(client, () => api.GetGraphAsync(req.HttpContext, graphId));

    [Function(nameof(GetGraphVersion))]
    public Task<IActionResult> GetGraphVersion([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/graphs/{graphId}/versions/{version:long}")] HttpRequest req, [DurableClient] DurableTaskClient client, string graphId, string version) =>
        ApiResult.RespondAsync(client, () => api.GetGraphVersionAsync(req.HttpContext, graphId, long.Parse(version, CultureInfo.InvariantCulture)));

    [Function(nameof(StartRun))]
    public Task<IActionResult> StartRun([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/graphs/{graphId}/runs")] HttpRequest req, [DurableClient] DurableTaskClient client, string graphId) =>
        ApiResult.RespondAsync(client, () => api.StartRunAsync(req.HttpContext, graphId));

    [Function(nameof(ListSnapshots))]
    public Task<IActionResult> ListSnapshots([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/graphs/{graphId}/snapshots")] HttpRequest req, [DurableClient] DurableTaskClient client, string graphId) =>
        ApiResult.RespondAsync(client, () => api.ListSnapshotsAsync(req.HttpContext, graphId));

    [Function(nameof(CreateSnapshot))]
    public Task<IActionResult> CreateSnapshot([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/graphs/{graphId}/snapshots")] HttpRequest req, [DurableClient] DurableTaskClient client, string graphId) =>
        ApiResult.RespondAsync(client, () => api.CreateSnapshotAsync(req.HttpContext, graphId));

    [Function(nameof(ListReleases))]
    public Task<IActionResult> ListReleases([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/graphs/{graphId}/releases")] HttpRequest req, [DurableClient] DurableTaskClient client, string graphId) =>
        ApiResult.RespondAsync(client, () => api.ListReleasesAsync(req.HttpContext, graphId));

    [Function(nameof(CreateRelease))]
    public Task<IActionResult> CreateRelease([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/graphs/{graphId}/releases")] HttpRequest req, [DurableClient] DurableTaskClient client, string graphId) =>
        ApiResult.RespondAsync(client, () => api.CreateReleaseAsync(req.HttpContext, graphId));

    [Function(nameof(GetShadow))]
    public Task<IActionResult> GetShadow([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/graphs/{graphId}/shadow")] HttpRequest req, [DurableClient] DurableTaskClient client, string graphId) =>
        ApiResult.RespondAsync(client, () => api.GetShadowAsync(req.HttpContext, graphId));

    [Function(nameof(PutShadow))]
    public Task<IActionResult> PutShadow([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/graphs/{graphId}/shadow")] HttpRequest req, [DurableClient] DurableTaskClient client, string graphId) =>
        ApiResult.RespondAsync(client, () => api.PutShadowAsync(req.HttpContext, graphId));

    [Function(nameof(DeleteShadow))]
    public Task<IActionResult> DeleteShadow([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/graphs/{graphId}/shadow")] HttpRequest req, [DurableClient] DurableTaskClient client, string graphId) =>
        ApiResult.RespondAsync(client, () => api.DeleteShadowAsync(req.HttpContext, graphId));

    [Function(nameof(GetShadowResults))]
    public Task<IActionResult> GetShadowResults([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/graphs/{graphId}/shadow/results")] HttpRequest req, [DurableClient] DurableTaskClient client, string graphId) =>
        ApiResult.RespondAsync(client, () => api.GetShadowResultsAsync(req.HttpContext, graphId));

    [Function(nameof(Rollback))]
    public Task<IActionResult> Rollback([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/graphs/{graphId}/rollback")] HttpRequest req, [DurableClient] DurableTaskClient client, string graphId) =>
        ApiResult.RespondAsync(client, () => api.RollbackAsync(req.HttpContext, graphId));

    [Function(nameof(EvaluateReleaseGuard))]
    public Task<IActionResult> EvaluateReleaseGuard([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/releases/guard")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.EvaluateGuardAsync(req.HttpContext));

    [Function(nameof(CreateSuite))]
    public Task<IActionResult> CreateSuite([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/suites")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.CreateSuiteAsync(req.HttpContext));

    [Function(nameof(ListSuites))]
    public Task<IActionResult> ListSuites([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/suites")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.ListSuitesAsync(req.HttpContext));

    [Function(nameof(GetSuite))]
    public Task<IActionResult> GetSuite([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/suites/{suiteId}")] HttpRequest req, [DurableClient] DurableTaskClient client, string suiteId) =>
        ApiResult.RespondAsync(client, () => api.GetSuiteAsync(req.HttpContext, suiteId));

    [Function(nameof(StartSuiteRun))]
    public Task<IActionResult> StartSuiteRun([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/suites/{suiteId}/runs")] HttpRequest req, [DurableClient] DurableTaskClient client, string suiteId) =>
        ApiResult.RespondAsync(client, () => api.StartSuiteRunAsync(req.HttpContext, suiteId));

    [Function(nameof(Judge))]
    public Task<IActionResult> Judge([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/evals/judge")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.JudgeAsync(req.HttpContext));

    [Function(nameof(ListSuiteRuns))]
    public Task<IActionResult> ListSuiteRuns([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/suite-runs")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.ListSuiteRunsAsync(req.HttpContext));

    [Function(nameof(GetSuiteRun))]
    public Task<IActionResult> GetSuiteRun([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/suite-runs/{suiteRunId}")] HttpRequest req, [DurableClient] DurableTaskClient client, string suiteRunId) =>
        ApiResult.RespondAsync(client, () => api.GetSuiteRunAsync(req.HttpContext, suiteRunId));

    [Function(nameof(ListRuns))]
    public Task<IActionResult> ListRuns([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/runs")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.ListRunsAsync(req.HttpContext));

    [Function(nameof(GetRun))]
    public Task<IActionResult> GetRun([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/runs/{runId}")] HttpRequest req, [DurableClient] DurableTaskClient client, string runId) =>
        ApiResult.RespondAsync(client, () => api.GetRunAsync(req.HttpContext, runId));

    [Function(nameof(ListRunEvents))]
    public Task<IActionResult> ListRunEvents([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/runs/{runId}/events")] HttpRequest req, [DurableClient] DurableTaskClient client, string runId) =>
        ApiResult.RespondAsync(client, () => api.ListRunEventsAsync(req.HttpContext, runId));

    [Function(nameof(StreamRun))]
    public Task<IActionResult> StreamRun([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/runs/{runId}/stream")] HttpRequest req, [DurableClient] DurableTaskClient client, string runId) =>
        ApiResult.StreamAsync(client, () => api.StreamRunAsync(req.HttpContext, runId));

    [Function(nameof(ControlRun))]
    public Task<IActionResult> ControlRun([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/runs/{runId}/control")] HttpRequest req, [DurableClient] DurableTaskClient client, string runId) =>
        ApiResult.RespondAsync(client, () => api.ControlRunAsync(req.HttpContext, runId));

    [Function(nameof(ListRunApprovals))]
    public Task<IActionResult> ListRunApprovals([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/runs/{runId}/approvals")] HttpRequest req, [DurableClient] DurableTaskClient client, string runId) =>
        ApiResult.RespondAsync(client, () => api.ListRunApprovalsAsync(req.HttpContext, runId));

    [Function(nameof(DiffRuns))]
    public Task<IActionResult> DiffRuns([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/runs/{runId}/diff/{otherRunId}")] HttpRequest req, [DurableClient] DurableTaskClient client, string runId, string otherRunId) =>
        ApiResult.RespondAsync(client, () => api.DiffRunsAsync(req.HttpContext, runId, otherRunId));

    [Function(nameof(ReplayRun))]
    public Task<IActionResult> ReplayRun([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/runs/{runId}/replay")] HttpRequest req, [DurableClient] DurableTaskClient client, string runId) =>
        ApiResult.RespondAsync(client, () => api.ReplayRunAsync(req.HttpContext, runId));

    [Function(nameof(GetRunRecording))]
    public Task<IActionResult> GetRunRecording([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/runs/{runId}/recording")] HttpRequest req, [DurableClient] DurableTaskClient client, string runId) =>
        ApiResult.RespondAsync(client, () => api.GetRunRecordingAsync(req.HttpContext, runId));

    [Function(nameof(CreateRecording))]
    public Task<IActionResult> CreateRecording([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/recordings")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.CreateRecordingAsync(req.HttpContext));

    [Function(nameof(GetRunCompliance))]
    public Task<IActionResult> GetRunCompliance([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/runs/{runId}/compliance")] HttpRequest req, [DurableClient] DurableTaskClient client, string runId) =>
        ApiResult.RespondAsync(client, () => api.GetComplianceAsync(req.HttpContext, runId));

    [Function(nameof(ListApprovals))]
    public Task<IActionResult> ListApprovals([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/approvals")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.ListApprovalsAsync(req.HttpContext));

    [Function(nameof(DecideApproval))]
    public Task<IActionResult> DecideApproval([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/approvals/{approvalId}/decision")] HttpRequest req, [DurableClient] DurableTaskClient client, string approvalId) =>
        ApiResult.RespondAsync(client, () => api.DecideApprovalAsync(req.HttpContext, approvalId));

    [Function(nameof(GetGuardrails))]
    public Task<IActionResult> GetGuardrails([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/guardrails")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.GetGuardrailsAsync(req.HttpContext));

    [Function(nameof(ResetBreaker))]
    public Task<IActionResult> ResetBreaker([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/guardrails/breakers/{key}/reset")] HttpRequest req, [DurableClient] DurableTaskClient client, string key) =>
        ApiResult.RespondAsync(client, () => api.ResetBreakerAsync(req.HttpContext, key));

    [Function(nameof(SetBudget))]
    public Task<IActionResult> SetBudget([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/budgets/{scope}")] HttpRequest req, [DurableClient] DurableTaskClient client, string scope) =>
        ApiResult.RespondAsync(client, () => api.SetBudgetAsync(req.HttpContext, scope));

    [Function(nameof(GetUsage))]
    public Task<IActionResult> GetUsage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/usage")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.GetUsageAsync(req.HttpContext));

    [Function(nameof(GetLlmSummary))]
    public Task<IActionResult> GetLlmSummary([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/metrics/llm/summary")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.GetLlmSummaryAsync(req.HttpContext));

    [Function(nameof(GetLlmTimeseries))]
    public Task<IActionResult> GetLlmTimeseries([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/metrics/llm/timeseries")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.GetLlmTimeseriesAsync(req.HttpContext));

    [Function(nameof(StreamTenant))]
    public Task<IActionResult> StreamTenant([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/stream")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.StreamAsync(client, () => api.StreamTenantAsync(req.HttpContext));

    [Function(nameof(ListAudit))]
    public Task<IActionResult> ListAudit([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/audit")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.ListAuditAsync(req.HttpContext));

    [Function(nameof(VerifyAudit))]
    public Task<IActionResult> VerifyAudit([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/audit/verify")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.VerifyAuditAsync(req.HttpContext));

    [Function(nameof(CreateTenant))]
    public Task<IActionResult> CreateTenant([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/tenants")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.CreateTenantAsync(req.HttpContext));

    [Function(nameof(CreateKey))]
    public Task<IActionResult> CreateKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/keys")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.CreateKeyAsync(req.HttpContext));

    [Function(nameof(ListKeys))]
    public Task<IActionResult> ListKeys([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/keys")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.ListKeysAsync(req.HttpContext));

    [Function(nameof(RevokeKey))]
    public Task<IActionResult> RevokeKey([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/keys/{keyId}")] HttpRequest req, [DurableClient] DurableTaskClient client, string keyId) =>
        ApiResult.RespondAsync(client, () => api.RevokeKeyAsync(req.HttpContext, keyId));

    [Function(nameof(ListTools))]
    public Task<IActionResult> ListTools([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/tools")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.ListToolsAsync(req.HttpContext));

    [Function(nameof(CreateTool))]
    public Task<IActionResult> CreateTool([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/tools")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.SaveToolAsync(req.HttpContext, null));

    [Function(nameof(GetTool))]
    public Task<IActionResult> GetTool([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/tools/{name}")] HttpRequest req, [DurableClient] DurableTaskClient client, string name) =>
        ApiResult.RespondAsync(client, () => api.GetToolAsync(req.HttpContext, name));

    [Function(nameof(ReplaceTool))]
    public Task<IActionResult> ReplaceTool([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/tools/{name}")] HttpRequest req, [DurableClient] DurableTaskClient client, string name) =>
        ApiResult.RespondAsync(client, () => api.SaveToolAsync(req.HttpContext, name));

    [Function(nameof(DeleteTool))]
    public Task<IActionResult> DeleteTool([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/tools/{name}")] HttpRequest req, [DurableClient] DurableTaskClient client, string name) =>
        ApiResult.RespondAsync(client, () => api.DeleteToolAsync(req.HttpContext, name));

    [Function(nameof(ListAgents))]
    public Task<IActionResult> ListAgents([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/agents")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.ListAgentsAsync(req.HttpContext));

    [Function(nameof(CreateAgent))]
    public Task<IActionResult> CreateAgent([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/agents")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.SaveAgentAsync(req.HttpContext, null));

    [Function(nameof(GetAgent))]
    public Task<IActionResult> GetAgent([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/agents/{name}")] HttpRequest req, [DurableClient] DurableTaskClient client, string name) =>
        ApiResult.RespondAsync(client, () => api.GetAgentAsync(req.HttpContext, name));

    [Function(nameof(ReplaceAgent))]
    public Task<IActionResult> ReplaceAgent([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/agents/{name}")] HttpRequest req, [DurableClient] DurableTaskClient client, string name) =>
        ApiResult.RespondAsync(client, () => api.SaveAgentAsync(req.HttpContext, name));

    [Function(nameof(DeleteAgent))]
    public Task<IActionResult> DeleteAgent([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/agents/{name}")] HttpRequest req, [DurableClient] DurableTaskClient client, string name) =>
        ApiResult.RespondAsync(client, () => api.DeleteAgentAsync(req.HttpContext, name));

    [Function(nameof(CreateTask))]
    public Task<IActionResult> CreateTask([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/tasks")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.CreateTaskAsync(req.HttpContext));

    [Function(nameof(ListTasks))]
    public Task<IActionResult> ListTasks([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/tasks")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.ListTasksAsync(req.HttpContext));

    [Function(nameof(GetTask))]
    public Task<IActionResult> GetTask([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/tasks/{taskId}")] HttpRequest req, [DurableClient] DurableTaskClient client, string taskId) =>
        ApiResult.RespondAsync(client, () => api.GetTaskAsync(req.HttpContext, taskId));

    [Function(nameof(TransitionTask))]
    public Task<IActionResult> TransitionTask([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/tasks/{taskId}/transitions")] HttpRequest req, [DurableClient] DurableTaskClient client, string taskId) =>
        ApiResult.RespondAsync(client, () => api.TransitionTaskAsync(req.HttpContext, taskId));

    [Function(nameof(OverrideTask))]
    public Task<IActionResult> OverrideTask([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/tasks/{taskId}/override")] HttpRequest req, [DurableClient] DurableTaskClient client, string taskId) =>
        ApiResult.RespondAsync(client, () => api.OverrideTaskAsync(req.HttpContext, taskId));

    [Function(nameof(EscalateTask))]
    public Task<IActionResult> EscalateTask([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/tasks/{taskId}/escalate")] HttpRequest req, [DurableClient] DurableTaskClient client, string taskId) =>
        ApiResult.RespondAsync(client, () => api.EscalateTaskAsync(req.HttpContext, taskId));

    [Function(nameof(ResolveTask))]
    public Task<IActionResult> ResolveTask([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/tasks/{taskId}/resolve")] HttpRequest req, [DurableClient] DurableTaskClient client, string taskId) =>
        ApiResult.RespondAsync(client, () => api.ResolveTaskAsync(req.HttpContext, taskId));

    [Function(nameof(ListEscalations))]
    public Task<IActionResult> ListEscalations([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/escalations")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.ListEscalationsAsync(req.HttpContext));

    [Function(nameof(GetGovernanceSummary))]
    public Task<IActionResult> GetGovernanceSummary([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/metrics/governance/summary")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        ApiResult.RespondAsync(client, () => api.GetGovernanceSummaryAsync(req.HttpContext));
}
