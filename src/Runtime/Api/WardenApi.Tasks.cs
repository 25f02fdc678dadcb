using Microsoft.AspNetCore.Http;
using Warden.Core.Oversight.Tasks;
using Warden.Runtime.Engine;

namespace Warden.Runtime.Api;

/// <summary>
/// Oversight tasks: queued → assigned → acked → in_progress → completed → verified, with ack timeouts, retries and
/// escalation on durable timers. Agents act through keys with the api or operator role, naming themselves in
/// <c>agent</c>; reviewers verify, override and resolve escalations.
/// </summary>
public sealed partial class WardenApi
{
    private static readonly string[] TaskCreators = [Roles.Admin, Roles.Operator, Roles.Reviewer, Roles.Api];
    private static readonly string[] TaskActors = [Roles.Admin, Roles.Operator, Roles.Api];
    private static readonly string[] TaskReviewers = [Roles.Admin, Roles.Reviewer];

    /// <summary>POST /api/v1/tasks — {title, assignee?, run_id?}.</summary>
    public Task<IResult> CreateTaskAsync(HttpContext http) => GuardAsync(http, TaskCreators, async caller =>
    {
        var body = await ReadJsonObjectAsync(http);
        var title = OptionalString(body, "title") ?? throw ApiException.BadRequest("'title' is required");
        var runId = OptionalString(body, "run_id");
        if (runId is not null)
        {
            await RequireRunAsync(caller, runId, http);
        }

        var task = await tasks.CreateTaskAsync(caller.TenantId, title, OptionalString(body, "assignee"), runId, caller.Actor, http.RequestAborted);
        await audit.AppendAsync(caller.TenantId, caller.Actor, "task.created", task.Id, new { task.Id, title, task.Assignee, runId });
        http.Response.Headers.Location = $"/api/v1/tasks/{task.Id}";
        return Json(task, StatusCodes.Status201Created);
    });

    public Task<IResult> ListTasksAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
    {
        var status = http.Request.Query["status"].ToString() is { Length: > 0 } s ? s : null;
        return Json(new { items = await taskStore.ListAsync(caller.TenantId, status, http.RequestAborted) });
    });

    public Task<IResult> ListEscalationsAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
        Json(new { items = await taskStore.ListAsync(caller.TenantId, "escalated", http.RequestAborted) }));

    public Task<IResult> GetTaskAsync(HttpContext http, string taskId) => GuardAsync(http, Roles.Any, async caller =>
        Json(await taskStore.GetAsync(caller.TenantId, taskId, http.RequestAborted) ?? throw ApiException.NotFound($"task '{taskId}' not found")));

    /// <summary>POST /api/v1/tasks/{id}/transitions — {action: assign|ack|start|complete|fail|verify, agent, assignee?, result?, error?}.</summary>
    public Task<IResult> TransitionTaskAsync(HttpContext http, string taskId) => GuardAsync(http, TaskActors.Union(TaskReviewers).ToArray(), async caller =>
    {
        var body = await ReadJsonObjectAsync(http);
        var action = OptionalString(body, "action") ?? throw ApiException.BadRequest("'action' is required: assign, ack, start, complete, fail or verify");
        var agent = OptionalString(body, "agent");
        string Agent() => agent ?? throw ApiException.BadRequest($"'agent' (the acting agent's name) is required for {action}");
        TaskEvent evt = action switch
        {
            "assign" => new TaskEvent.Assign(caller.Actor, OptionalString(body, "assignee") ?? throw ApiException.BadRequest("'assignee' is required")),
            "ack" => new TaskEvent.Ack(Agent()),
            "start" => new TaskEvent.Start(Agent()),
            "complete" => new TaskEvent.Complete(Agent(), OptionalString(body, "result")),
            "fail" => new TaskEvent.Fail(Agent(), OptionalString(body, "error") ?? "failed"),
            "verify" when TaskReviewers.Contains(caller.Role) => new TaskEvent.Verify(caller.Actor),
            "verify" => throw new ApiException(StatusCodes.Status403Forbidden, "FORBIDDEN", "only reviewers and admins verify tasks"),
            _ => throw ApiException.BadRequest($"unknown action '{action}'; use assign, ack, start, complete, fail or verify"),
        };
        return Json(await ApplyTaskAsync(caller, taskId, evt, http));
    });

    /// <summary>POST /api/v1/tasks/{id}/override — {status, reason}: a reviewer sets the status outright.</summary>
    public Task<IResult> OverrideTaskAsync(HttpContext http, string taskId) => GuardAsync(http, TaskReviewers, async caller =>
    {
        var body = await ReadJsonObjectAsync(http);
        var statusText = OptionalString(body, "status") ?? throw ApiException.BadRequest("'status' is required");
        var reason = OptionalString(body, "reason") ?? throw ApiException.BadRequest("'reason' is required: overrides are recorded with why");
        var status = Enum.GetValues<OversightStatus>().FirstOrDefault(s => string.Equals(StatusName(s), statusText, StringComparison.Ordinal), (OversightStatus)(-1));
        if (!Enum.IsDefined(status))
        {
            throw ApiException.BadRequest($"unknown status '{statusText}'");
        }

        return Json(await ApplyTaskAsync(caller, taskId, new TaskEvent.Override(caller.Actor, status, reason), http));
    });

    public Task<IResult> EscalateTaskAsync(HttpContext http, string taskId) => GuardAsync(http, TaskActors.Union(TaskReviewers).ToArray(), async caller =>
    {
        var body = await ReadJsonObjectAsync(http);
        return Json(await ApplyTaskAsync(caller, taskId, new TaskEvent.Escalate(caller.Actor, OptionalString(body, "reason") ?? "escalated by hand"), http));
    });

    /// <summary>POST /api/v1/tasks/{id}/resolve — {assignee?, resolution}: hand an escalated task to someone, or close it.</summary>
    public Task<IResult> ResolveTaskAsync(HttpContext http, string taskId) => GuardAsync(http, TaskReviewers, async caller =>
    {
        var body = await ReadJsonObjectAsync(http);
        var resolution = OptionalString(body, "resolution") ?? throw ApiException.BadRequest("'resolution' is required");
        return Json(await ApplyTaskAsync(caller, taskId, new TaskEvent.Resolve(caller.Actor, OptionalString(body, "assignee"), resolution), http));
    });

    private async Task<OversightTaskState> ApplyTaskAsync(ApiCaller caller, string taskId, TaskEvent evt, HttpContext http)
    {
        try
        {
            var state = await tasks.ApplyTaskAsync(caller.TenantId, taskId, evt, http.RequestAborted);

            // Overrides and escalation decisions are governance decisions; agent progress is in the task's timeline.
            if (evt is TaskEvent.Override or TaskEvent.Escalate or TaskEvent.Resolve or TaskEvent.Verify)
            {
                await audit.AppendAsync(caller.TenantId, caller.Actor, "task." + evt.GetType().Name.ToLowerInvariant(), taskId, evt);
            }

            return state;
        }
        catch (InvalidTaskTransitionException ex)
        {
            throw ApiException.Conflict("INVALID_TRANSITION", ex.Message);
        }
    }

    private static string StatusName(OversightStatus status) => status == OversightStatus.InProgress ? "in_progress" : status.ToString().ToLowerInvariant();
}
