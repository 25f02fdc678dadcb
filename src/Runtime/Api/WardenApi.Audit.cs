using System.Globalization;
using Microsoft.AspNetCore.Http;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Api;

public sealed partial class WardenApi
{
    /// <summary>GET /api/v1/audit — the tenant's audit rows, newest first (action, actor, target, from, to, limit, cursor).</summary>
    public Task<IResult> ListAuditAsync(HttpContext http) => GuardAsync(http, Roles.ReadAudit, async caller =>
    {
        var q = http.Request.Query;
        var query = new AuditQuery(
            Text("action"),
            Text("actor"),
            Text("target"),
            Time("from"),
            Time("to"),
            ParseLimit(q["limit"].ToString(), 50, 500),
            Text("cursor"));
        var page = await audit.QueryAsync(caller.TenantId, query, http.RequestAborted);
        return Json(new { items = page.Items.Select(AuditResponses.Entry), next_cursor = page.NextCursor });

        string? Text(string name) => q[name].ToString() is { Length: > 0 } value ? value : null;

        DateTimeOffset? Time(string name) => Text(name) is not { } text ? null
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value
            : throw ApiException.BadRequest($"'{name}' must be an ISO 8601 time, not '{text}'");
    });

    /// <summary>POST /api/v1/audit/verify — walks the tenant's chain: {ok, entries, head_*} or {ok: false, broken_at, kind, reason}.</summary>
    public Task<IResult> VerifyAuditAsync(HttpContext http) => GuardAsync(http, Roles.ReadAudit, async caller =>
        Json(AuditResponses.Verification(await audit.VerifyAsync(caller.TenantId, http.RequestAborted))));
}
