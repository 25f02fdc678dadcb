using Microsoft.AspNetCore.Http;
using Warden.Core.Runs;

namespace Warden.Runtime.Api;

public sealed partial class WardenApi
{
    public Task<IResult> ListRunApprovalsAsync(HttpContext http, string runId) => GuardAsync(http, Roles.Any, async caller =>
    {
        await RequireRunAsync(caller, runId, http);
        var list = await runs.ListApprovalsAsync(caller.TenantId, runId, null, http.RequestAborted);
        return Json(new { items = list.Select(Responses.Approval) });
    });

    public Task<IResult> ListApprovalsAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
    {
        var status = http.Request.Query["status"].ToString() is { Length: > 0 } s ? s : "pending";
        var list = await runs.ListApprovalsAsync(caller.TenantId, null, status == "all" ? null : status, http.RequestAborted);
        return Json(new { items = list.Select(Responses.Approval) });
    });

    /// <summary>POST /api/v1/approvals/{approvalId}/decision — approve or reject; a decision is final (409 after).</summary>
    public Task<IResult> DecideApprovalAsync(HttpContext http, string approvalId) => GuardAsync(http, Roles.DecideApprovals, async caller =>
    {
        var body = await ReadJsonObjectAsync(http);
        var decision = OptionalString(body, "decision") ?? throw ApiException.BadRequest("'decision' is required: approve or reject");
        var kind = decision.ToLowerInvariant() switch
        {
            "approve" or "approved" => SignalKind.Approve,
            "reject" or "rejected" => SignalKind.Reject,
            _ => throw ApiException.BadRequest($"unknown decision '{decision}'; use approve or reject"),
        };
        var approval = await runs.GetApprovalAsync(caller.TenantId, approvalId, http.RequestAborted)
            ?? throw ApiException.NotFound($"approval '{approvalId}' not found");
        if (approval.Status != "pending")
        {
            throw ApiException.Conflict("APPROVAL_NOT_PENDING", $"approval '{approvalId}' is already {approval.Status}");
        }

        var result = await engine.SignalAsync(caller.TenantId, approval.RunId, new SignalReceived(kind, caller.Actor, approvalId, OptionalString(body, "comment")), http.RequestAborted);
        if (result.Status == Engine.SignalStatus.Applied)
        {
            await audit.AppendAsync(caller.TenantId, caller.Actor, "approval.decided", approvalId, new { approval.RunId, kind, comment = OptionalString(body, "comment") });
            var updated = await runs.GetApprovalAsync(caller.TenantId, approvalId, http.RequestAborted);
            return Json(new { approval = Responses.Approval(updated!), run_status = result.RunStatus });
        }

        return SignalOutcome(result, approval.RunId);
    });
}
