using Microsoft.AspNetCore.Http;
using Warden.Runtime.Compliance;
using Warden.Runtime.Diff;

namespace Warden.Runtime.Api;

public sealed partial class WardenApi
{
    /// <summary>GET /api/v1/runs/{runId}/diff/{otherRunId} — two runs of the tenant compared; every delta is other − run.</summary>
    public Task<IResult> DiffRunsAsync(HttpContext http, string runId, string otherRunId) => GuardAsync(http, Roles.Any, async caller =>
    {
        var a = await RequireTraceAsync(caller, runId, http);
        var b = string.Equals(runId, otherRunId, StringComparison.Ordinal) ? a : await RequireTraceAsync(caller, otherRunId, http);
        return Json(RunDiffer.Compare(a, b));
    });

    /// <summary>GET /api/v1/runs/{runId}/compliance — every governance decision of the run and its audit rows (who reads audit).</summary>
    public Task<IResult> GetComplianceAsync(HttpContext http, string runId) => GuardAsync(http, Roles.ReadAudit, async caller =>
        Json(await ComplianceReporter.BuildAsync(await RequireTraceAsync(caller, runId, http), runs, audit, http.RequestAborted)));

    private async Task<RunTrace> RequireTraceAsync(ApiCaller caller, string runId, HttpContext http) =>
        await RunTrace.LoadAsync(runs, caller.TenantId, runId, http.RequestAborted) ?? throw ApiException.NotFound($"run '{runId}' not found");
}
