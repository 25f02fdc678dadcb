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
}
