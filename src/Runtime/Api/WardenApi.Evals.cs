using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Warden.Runtime.Testing;

namespace Warden.Runtime.Api;

public sealed partial class WardenApi
{
    /// <summary>
    /// POST /api/v1/evals/judge — {rubric, output, provider?, model?, min_score?}: a model grades the output against the
    /// rubric (see <see cref="JudgeService"/>); the call's usage is the caller's tenant's. <c>warden test --server</c>
    /// grades its judge assertions here. 502 when the judge's provider fails or answers without a score.
    /// </summary>
    public Task<IResult> JudgeAsync(HttpContext http) => GuardAsync(http, Roles.StartRuns, async caller =>
    {
        var body = await ReadJsonObjectAsync(http);
        var rubric = OptionalString(body, "rubric");
        var output = OptionalString(body, "output") ?? throw ApiException.BadRequest("'output' is required: the text to grade");
        double? minScore = null;
        if (body.TryGetProperty("min_score", out var min) && min.ValueKind != JsonValueKind.Null)
        {
            minScore = min.ValueKind == JsonValueKind.Number && min.GetDouble() is >= 0 and <= 1 and var m ? m : throw ApiException.BadRequest("'min_score' must be a number from 0 to 1");
        }

        JudgeResult grade;
        try
        {
            grade = await services.GetRequiredService<JudgeService>().GradeAsync(
                caller.TenantId, new JudgeRequest(rubric ?? string.Empty, output, OptionalString(body, "provider"), OptionalString(body, "model")), http.RequestAborted);
        }
        catch (JudgeException ex) when (ex.BadRequest)
        {
            throw ApiException.BadRequest(ex.Message);
        }
        catch (JudgeException ex)
        {
            throw new ApiException(StatusCodes.Status502BadGateway, "JUDGE_FAILED", ex.Message);
        }

        return Json(new
        {
            score = grade.Score,
            passed = minScore is { } threshold ? grade.Score >= threshold : (bool?)null,
            reason = grade.Reason,
            provider = grade.Provider,
            model = grade.Model,
            usage = new { input_tokens = grade.Usage.InputTokens, output_tokens = grade.Usage.OutputTokens, cost_usd = grade.Usage.CostUsd },
        });
    });
}
