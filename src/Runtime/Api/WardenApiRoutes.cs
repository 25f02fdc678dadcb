using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Warden.Runtime.Api;

/// <summary>Binds every /api/v1 route to its handler in <see cref="WardenApi"/>. No logic lives here.</summary>
public static class WardenApiRoutes
{
    public static IEndpointRouteBuilder MapWardenApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", WardenApi.Health).WithTags("Health").WithSummary("Liveness of the host");

        var v1 = app.MapGroup("/api/v1");
        var graphs = v1.MapGroup("/graphs").WithTags("Graphs");
        graphs.MapPost("/", (HttpContext h, WardenApi api) => api.CreateGraphAsync(h))
            .WithSummary("Upload a graph (YAML or JSON); a changed graph under the same name becomes a new version")
            .Produces(201).Produces(200).Produces<ErrorBody>(400).Produces<ErrorBody>(415).Produces<ErrorBody>(413);
        graphs.MapGet("/", (HttpContext h, WardenApi api) => api.ListGraphsAsync(h)).WithSummary("List graphs");
        graphs.MapGet("/{graphId}", (HttpContext h, WardenApi api, string graphId) => api.GetGraphAsync(h, graphId)).WithSummary("Get a graph with its versions").Produces<ErrorBody>(404);
        graphs.MapGet("/{graphId}/versions/{version:long}", (HttpContext h, WardenApi api, string graphId, long version) => api.GetGraphVersionAsync(h, graphId, version))
            .WithSummary("Get one immutable graph version").Produces<ErrorBody>(404);
        graphs.MapPost("/{graphId}/runs", (HttpContext h, WardenApi api, string graphId) => api.StartRunAsync(h, graphId))
            .WithTags("Runs").WithSummary("Start a run: {input, version? | channel?, wait_seconds?, seed?, mock?, tags?}; without version it runs the active release")
            .Produces(202).Produces(200).Produces<ErrorBody>(404);
        graphs.MapGet("/{graphId}/snapshots", (HttpContext h, WardenApi api, string graphId) => api.ListSnapshotsAsync(h, graphId))
            .WithTags("Releases").WithSummary("List the graph's snapshots (a version frozen with the catalogue it uses)").Produces<ErrorBody>(404);
        graphs.MapPost("/{graphId}/snapshots", (HttpContext h, WardenApi api, string graphId) => api.CreateSnapshotAsync(h, graphId))
            .WithTags("Releases").WithSummary("Snapshot a version: {version?}").Produces(201).Produces(200).Produces<ErrorBody>(404);
        graphs.MapGet("/{graphId}/releases", (HttpContext h, WardenApi api, string graphId) => api.ListReleasesAsync(h, graphId))
            .WithTags("Releases").WithSummary("Where the active and candidate channels point, and every move").Produces<ErrorBody>(404);
        graphs.MapPost("/{graphId}/releases", (HttpContext h, WardenApi api, string graphId) => api.CreateReleaseAsync(h, graphId))
            .WithTags("Releases").WithSummary("Release a snapshot or version to a channel: {snapshot | version, channel, reason?}")
            .Produces(201).Produces(200).Produces<ErrorBody>(400).Produces<ErrorBody>(404);
        graphs.MapGet("/{graphId}/shadow", (HttpContext h, WardenApi api, string graphId) => api.GetShadowAsync(h, graphId))
            .WithTags("Releases").WithSummary("The graph's shadow setting").Produces<ErrorBody>(404);
        graphs.MapPut("/{graphId}/shadow", (HttpContext h, WardenApi api, string graphId) => api.PutShadowAsync(h, graphId))
            .WithTags("Releases").WithSummary("Shadow a share of active runs with a candidate: {candidate? | version?, percent, threshold?}")
            .Produces<ErrorBody>(400).Produces<ErrorBody>(404).Produces<ErrorBody>(409);
        graphs.MapDelete("/{graphId}/shadow", (HttpContext h, WardenApi api, string graphId) => api.DeleteShadowAsync(h, graphId))
            .WithTags("Releases").WithSummary("Stop shadowing").Produces<ErrorBody>(404);
        graphs.MapGet("/{graphId}/shadow/results", (HttpContext h, WardenApi api, string graphId) => api.GetShadowResultsAsync(h, graphId))
            .WithTags("Releases").WithSummary("Shadow pairs with divergence scores, their distribution, dry-run writes and shadow spend").Produces<ErrorBody>(404);
        graphs.MapPost("/{graphId}/rollback", (HttpContext h, WardenApi api, string graphId) => api.RollbackAsync(h, graphId))
            .WithTags("Releases").WithSummary("Move active back to the previous (or a named) snapshot: {to?, reason?}")
            .Produces<ErrorBody>(404).Produces<ErrorBody>(409);
        v1.MapPost("/releases/guard", (HttpContext h, WardenApi api) => api.EvaluateGuardAsync(h))
            .WithTags("Releases").WithSummary("Ask the release guard about a snapshot: {graph, snapshot | version, environment}; pass/fail per SLO with measured value, objective and budget left")
            .Produces<ErrorBody>(400).Produces<ErrorBody>(404);

        var suites = v1.MapGroup("/suites").WithTags("Suites");
        suites.MapPost("/", (HttpContext h, WardenApi api) => api.CreateSuiteAsync(h))
            .WithSummary("Upload a test suite (YAML or JSON); a changed suite becomes a new version").Produces<ErrorBody>(400);
        suites.MapGet("/", (HttpContext h, WardenApi api) => api.ListSuitesAsync(h)).WithSummary("List suites");
        suites.MapGet("/{suiteId}", (HttpContext h, WardenApi api, string suiteId) => api.GetSuiteAsync(h, suiteId)).WithSummary("Get a suite (latest, or ?version=N)").Produces<ErrorBody>(404);
        suites.MapPost("/{suiteId}/runs", (HttpContext h, WardenApi api, string suiteId) => api.StartSuiteRunAsync(h, suiteId))
            .WithSummary("Start a suite run: {version?, parallel?, filter?}; each case is an ordinary run").Produces<ErrorBody>(404);
        var suiteRuns = v1.MapGroup("/suite-runs").WithTags("Suites");
        suiteRuns.MapGet("/", (HttpContext h, WardenApi api) => api.ListSuiteRunsAsync(h)).WithSummary("List suite runs, newest first (suite_id, limit, cursor)");
        suiteRuns.MapGet("/{suiteRunId}", (HttpContext h, WardenApi api, string suiteRunId) => api.GetSuiteRunAsync(h, suiteRunId))
            .WithSummary("A suite run with per-case and per-assertion results").Produces<ErrorBody>(404);

        v1.MapPost("/evals/judge", (HttpContext h, WardenApi api) => api.JudgeAsync(h)).WithTags("Suites")
            .WithSummary("Grade an output against a rubric with a model: {rubric, output, provider?, model?, min_score?} -> {score, passed, reason, provider, model, usage}")
            .Produces<ErrorBody>(400).Produces<ErrorBody>(502);

        var runs = v1.MapGroup("/runs").WithTags("Runs");
        runs.MapGet("/", (HttpContext h, WardenApi api) => api.ListRunsAsync(h)).WithSummary("List runs (graph_id, status, limit, cursor)");
        runs.MapGet("/{runId}", (HttpContext h, WardenApi api, string runId) => api.GetRunAsync(h, runId)).WithSummary("Run status, node states, output and usage").Produces<ErrorBody>(404);
        runs.MapGet("/{runId}/events", (HttpContext h, WardenApi api, string runId) => api.ListRunEventsAsync(h, runId)).WithSummary("The run's timeline (after, limit)");
        runs.MapGet("/{runId}/stream", (HttpContext h, WardenApi api, string runId) => api.StreamRunAsync(h, runId)).WithSummary("The run's timeline as Server-Sent Events, live");
        runs.MapPost("/{runId}/control", (HttpContext h, WardenApi api, string runId) => api.ControlRunAsync(h, runId))
            .WithSummary("Pause, resume or stop a run: {action, comment?}").Produces<ErrorBody>(409);
        runs.MapGet("/{runId}/diff/{otherRunId}", (HttpContext h, WardenApi api, string runId, string otherRunId) => api.DiffRunsAsync(h, runId, otherRunId))
            .WithSummary("Compare two runs: paths, per-node output line diffs and similarity, status, usage and governance deltas (other − run)").Produces<ErrorBody>(404);
        runs.MapPost("/{runId}/replay", (HttpContext h, WardenApi api, string runId) => api.ReplayRunAsync(h, runId))
            .WithSummary("Replay a run: {mode: exact} proves its history decides the same; {mode: candidate, version?, on_miss?: call|fail, wait_seconds?} runs another version on its input, answered from its recorded responses")
            .Produces(200).Produces(202).Produces<ErrorBody>(404).Produces<ErrorBody>(409);
        runs.MapGet("/{runId}/recording", (HttpContext h, WardenApi api, string runId) => api.GetRunRecordingAsync(h, runId))
            .WithSummary("The run as a recording file: its start, every provider and tool response, and the decider's inputs").Produces<ErrorBody>(404).Produces<ErrorBody>(409);
        v1.MapPost("/recordings", (HttpContext h, WardenApi api) => api.CreateRecordingAsync(h))
            .WithTags("Runs").WithSummary("Upload a recording file; start runs with {replay: {recording_id, on_miss?}} to answer their steps from it")
            .Produces(201).Produces(200).Produces<ErrorBody>(400);
        runs.MapGet("/{runId}/compliance", (HttpContext h, WardenApi api, string runId) => api.GetComplianceAsync(h, runId))
            .WithTags("Audit").WithSummary("Every governance decision of a run with the audit rows that record them (admin, operator, reviewer)").Produces<ErrorBody>(404);
        runs.MapGet("/{runId}/approvals", (HttpContext h, WardenApi api, string runId) => api.ListRunApprovalsAsync(h, runId)).WithTags("Approvals").WithSummary("Approvals requested by a run");

        v1.MapGet("/stream", (HttpContext h, WardenApi api) => api.StreamTenantAsync(h)).WithTags("Runs").WithSummary("The tenant's live oversight stream (Server-Sent Events; Last-Event-ID resumes; ?from=start replays)");

        var approvals = v1.MapGroup("/approvals").WithTags("Approvals");
        approvals.MapGet("/", (HttpContext h, WardenApi api) => api.ListApprovalsAsync(h)).WithSummary("Approvals of the tenant (status=pending by default, or all)");
        approvals.MapPost("/{approvalId}/decision", (HttpContext h, WardenApi api, string approvalId) => api.DecideApprovalAsync(h, approvalId))
            .WithSummary("Approve or reject: {decision, comment?}; a decision is final").Produces<ErrorBody>(409);

        var guardrails = v1.MapGroup("/guardrails").WithTags("Guardrails");
        guardrails.MapGet("/", (HttpContext h, WardenApi api) => api.GetGuardrailsAsync(h)).WithSummary("Breaker states, LLM rate windows and budget balances (admin)");
        guardrails.MapPost("/breakers/{key}/reset", (HttpContext h, WardenApi api, string key) => api.ResetBreakerAsync(h, key)).WithSummary("Close a provider's circuit breaker (admin)");
        v1.MapPut("/budgets/{scope}", (HttpContext h, WardenApi api, string scope) => api.SetBudgetAsync(h, scope))
            .WithTags("Guardrails").WithSummary("Set the tenant's monthly budget (scope tenant) or a graph's (scope graph:{graphId}): {max_cost_usd?, max_tokens?}");

        var admin = v1.MapGroup("/").WithTags("Tenants and keys");
        admin.MapPost("/tenants", (HttpContext h, WardenApi api) => api.CreateTenantAsync(h)).WithSummary("Create a tenant with its first admin key: {id, name} (platform admins)");
        admin.MapPost("/keys", (HttpContext h, WardenApi api) => api.CreateKeyAsync(h)).WithSummary("Issue an API key in your tenant: {name, role}; the key is shown once (admin)");
        admin.MapGet("/keys", (HttpContext h, WardenApi api) => api.ListKeysAsync(h)).WithSummary("List your tenant's keys by prefix (admin)");
        admin.MapDelete("/keys/{keyId}", (HttpContext h, WardenApi api, string keyId) => api.RevokeKeyAsync(h, keyId)).WithSummary("Revoke a key (admin)");

        var tools = v1.MapGroup("/tools").WithTags("Tools");
        tools.MapGet("/", (HttpContext h, WardenApi api) => api.ListToolsAsync(h)).WithSummary("List the tenant's tools");
        tools.MapPost("/", (HttpContext h, WardenApi api) => api.SaveToolAsync(h, null)).WithSummary("Create a tool: {name, action_class: read|write|external, description?, input_schema?}");
        tools.MapGet("/{name}", (HttpContext h, WardenApi api, string name) => api.GetToolAsync(h, name)).WithSummary("Get a tool");
        tools.MapPut("/{name}", (HttpContext h, WardenApi api, string name) => api.SaveToolAsync(h, name)).WithSummary("Replace a tool");
        tools.MapDelete("/{name}", (HttpContext h, WardenApi api, string name) => api.DeleteToolAsync(h, name)).WithSummary("Delete a tool no agent uses");

        var agents = v1.MapGroup("/agents").WithTags("Agents");
        agents.MapGet("/", (HttpContext h, WardenApi api) => api.ListAgentsAsync(h)).WithSummary("List the tenant's agents");
        agents.MapPost("/", (HttpContext h, WardenApi api) => api.SaveAgentAsync(h, null)).WithSummary("Create an agent: {name, role, prompt, tools?, provider?, model?, description?}");
        agents.MapGet("/{name}", (HttpContext h, WardenApi api, string name) => api.GetAgentAsync(h, name)).WithSummary("Get an agent");
        agents.MapPut("/{name}", (HttpContext h, WardenApi api, string name) => api.SaveAgentAsync(h, name)).WithSummary("Replace an agent");
        agents.MapDelete("/{name}", (HttpContext h, WardenApi api, string name) => api.DeleteAgentAsync(h, name)).WithSummary("Delete an agent");

        var tasks = v1.MapGroup("/tasks").WithTags("Oversight tasks");
        tasks.MapPost("/", (HttpContext h, WardenApi api) => api.CreateTaskAsync(h)).WithSummary("Create a task: {title, assignee?, run_id?}");
        tasks.MapGet("/", (HttpContext h, WardenApi api) => api.ListTasksAsync(h)).WithSummary("List tasks (status)");
        tasks.MapGet("/{taskId}", (HttpContext h, WardenApi api, string taskId) => api.GetTaskAsync(h, taskId)).WithSummary("Get a task");
        tasks.MapPost("/{taskId}/transitions", (HttpContext h, WardenApi api, string taskId) => api.TransitionTaskAsync(h, taskId))
            .WithSummary("Move a task: {action: assign|ack|start|complete|fail|verify, agent, assignee?, result?, error?}");
        tasks.MapPost("/{taskId}/override", (HttpContext h, WardenApi api, string taskId) => api.OverrideTaskAsync(h, taskId)).WithSummary("Set a task's status with a reason (reviewer)");
        tasks.MapPost("/{taskId}/escalate", (HttpContext h, WardenApi api, string taskId) => api.EscalateTaskAsync(h, taskId)).WithSummary("Escalate a task: {reason}");
        tasks.MapPost("/{taskId}/resolve", (HttpContext h, WardenApi api, string taskId) => api.ResolveTaskAsync(h, taskId)).WithSummary("Resolve an escalation: {assignee?, resolution} (reviewer)");
        v1.MapGet("/escalations", (HttpContext h, WardenApi api) => api.ListEscalationsAsync(h)).WithTags("Oversight tasks").WithSummary("Escalated tasks");

        var usage = v1.MapGroup("/").WithTags("Usage");
        usage.MapGet("/usage", (HttpContext h, WardenApi api) => api.GetUsageAsync(h)).WithSummary("LLM usage (from, to, group_by=agent|graph|model|provider|day)");
        usage.MapGet("/metrics/llm/summary", (HttpContext h, WardenApi api) => api.GetLlmSummaryAsync(h)).WithSummary("Calls, errors, tokens, cost and latency percentiles (from, to)");
        usage.MapGet("/metrics/governance/summary", (HttpContext h, WardenApi api) => api.GetGovernanceSummaryAsync(h)).WithSummary("Approvals by status; blocks, denials, redactions, escalations and budget kills per day (from, to)");
        usage.MapGet("/metrics/llm/timeseries", (HttpContext h, WardenApi api) => api.GetLlmTimeseriesAsync(h)).WithSummary("Cost, tokens and latency over time (from, to, interval)");

        var audit = v1.MapGroup("/audit").WithTags("Audit");
        audit.MapGet("/", (HttpContext h, WardenApi api) => api.ListAuditAsync(h)).WithSummary("The tenant's audit log, newest first (action, actor, target, from, to, limit, cursor)");
        audit.MapPost("/verify", (HttpContext h, WardenApi api) => api.VerifyAuditAsync(h)).WithSummary("Verify the tenant's audit hash chain: ok, or the first broken row");
        return app;
    }
}
