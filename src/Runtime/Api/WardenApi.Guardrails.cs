using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Warden.Core.Guardrails.Budget;
using Warden.Core.Guardrails.CircuitBreaker;
using Warden.Core.Guardrails.RateLimit;
using Warden.Core.Serialization;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Api;

public sealed partial class WardenApi
{
    /// <summary>GET /api/v1/guardrails — breaker states, LLM rate windows and the tenant's budgets (admin).</summary>
    public Task<IResult> GetGuardrailsAsync(HttpContext http) => GuardAsync(http, Roles.AdminOnly, async caller =>
    {
        var rows = await usage.GuardrailsAsync(caller.TenantId, http.RequestAborted);
        var now = clock.GetUtcNow();
        return Json(new
        {
            breakers = rows.Where(r => r.Kind == GuardrailKeys.BreakerKind).Select(r =>
            {
                var state = WardenJson.Deserialize<CircuitBreakerState>(r.State);
                return new { key = r.Key["breaker:".Length..], status = state.Status, state.ConsecutiveFailures, state.OpenedAt, r.UpdatedAt };
            }),
            rate_windows = rows.Where(r => r.Kind == GuardrailKeys.RateKind).Select(r =>
            {
                var state = WardenJson.Deserialize<SlidingWindowState>(r.State);
                return new { key = r.Key["llm-rate:".Length..], window_start = new DateTimeOffset(state.WindowStartTicks, TimeSpan.Zero), current = state.Current, previous = state.Previous };
            }),
            budgets = rows.Where(r => r.Kind == GuardrailKeys.BudgetKind).Select(r =>
            {
                var state = WardenJson.Deserialize<BudgetState>(r.State);
                return new
                {
                    scope = state.Scope,
                    limit = state.Limit,
                    spent_usd = state.SpentUsd,
                    spent_tokens = state.SpentTokens,
                    reserved_usd = state.ReservedUsd,
                    remaining_usd = state.RemainingUsd,
                    remaining_tokens = state.RemainingTokens,
                    exhausted = state.Exhausted,
                };
            }),
            as_of = now,
        });
    });

    /// <summary>POST /api/v1/guardrails/breakers/{key}/reset — close a provider's breaker (admin).</summary>
    public Task<IResult> ResetBreakerAsync(HttpContext http, string key) => GuardAsync(http, Roles.AdminOnly, async caller =>
    {
        await guardrails.ResetBreakerAsync(key, http.RequestAborted);
        await audit.AppendAsync(caller.TenantId, caller.Actor, "breaker.reset", key, new { key });
        return Json(new { key, status = BreakerStatus.Closed });
    });

    /// <summary>PUT /api/v1/budgets/{scope} — scope is <c>tenant</c> (per calendar month) or <c>graph:{graphId}</c> (admin).</summary>
    public Task<IResult> SetBudgetAsync(HttpContext http, string scope) => GuardAsync(http, Roles.AdminOnly, async caller =>
    {
        string? graphId = scope switch
        {
            "tenant" => null,
            _ when scope.StartsWith("graph:", StringComparison.Ordinal) && scope.Length > 6 => scope[6..],
            _ => throw ApiException.BadRequest($"unknown budget scope '{scope}'; use tenant or graph:<graphId>"),
        };
        if (graphId is not null && await graphs.GetAsync(caller.TenantId, graphId, http.RequestAborted) is null)
        {
            throw ApiException.NotFound($"graph '{graphId}' not found");
        }

        var body = await ReadJsonObjectAsync(http);
        var cost = OptionalDecimal(body, "max_cost_usd");
        var tokens = OptionalLong(body, "max_tokens", 1, long.MaxValue);
        if (cost is null && tokens is null)
        {
            throw ApiException.BadRequest("set max_cost_usd, max_tokens or both");
        }

        var state = await guardrails.SetBudgetAsync(caller.TenantId, graphId, new BudgetLimit(cost, tokens), http.RequestAborted);
        await audit.AppendAsync(caller.TenantId, caller.Actor, "budget.set", scope, state.Limit);
        return Json(new { scope, limit = state.Limit, spent_usd = state.SpentUsd, spent_tokens = state.SpentTokens, remaining_usd = state.RemainingUsd, exhausted = state.Exhausted });
    });

    private static decimal? OptionalDecimal(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && d >= 0
            ? d
            : throw ApiException.BadRequest($"'{name}' must be a non-negative number");
    }

    /// <summary>GET /api/v1/usage — LLM calls, tokens and cost in a time range, grouped by agent, graph, model, provider or day.</summary>
    public Task<IResult> GetUsageAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
    {
        var (since, until) = TimeRange(http);
        var groupBy = http.Request.Query["group_by"].ToString() is { Length: > 0 } g ? g : "agent";
        var grouping = groupBy switch
        {
            "agent" => UsageGrouping.Agent,
            "graph" => UsageGrouping.Graph,
            "model" => UsageGrouping.Model,
            "provider" => UsageGrouping.Provider,
            "day" => UsageGrouping.Day,
            _ => throw ApiException.BadRequest($"group_by must be agent, graph, model, provider or day, not '{groupBy}'"),
        };
        var rows = await usage.GroupAsync(caller.TenantId, since, until, grouping, http.RequestAborted);
        return Json(new { from = since, to = until, group_by = groupBy, items = rows });
    });

    public Task<IResult> GetLlmSummaryAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
    {
        var (since, until) = TimeRange(http);
        return Json(new { from = since, to = until, summary = await usage.SummaryAsync(caller.TenantId, since, until, http.RequestAborted) });
    });

    /// <summary>GET /api/v1/metrics/governance/summary — approvals by status and governance decisions per day.</summary>
    public Task<IResult> GetGovernanceSummaryAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
    {
        var (since, until) = TimeRange(http);
        return Json(new { from = since, to = until, summary = await usage.GovernanceAsync(caller.TenantId, since, until, http.RequestAborted) });
    });

    public Task<IResult> GetLlmTimeseriesAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
    {
        var (since, until) = TimeRange(http);
        var intervalText = http.Request.Query["interval"].ToString() is { Length: > 0 } i ? i : "1h";
        if (!Core.Graphs.Durations.TryParse(intervalText, out var interval) || interval < TimeSpan.FromMinutes(1))
        {
            throw ApiException.BadRequest($"interval must be a duration of at least 1m (e.g. 5m, 1h, 1d), not '{intervalText}'");
        }

        if ((until - since) / interval > 10_000)
        {
            throw ApiException.BadRequest("the range holds more than 10,000 intervals; widen the interval or narrow the range");
        }

        return Json(new { from = since, to = until, interval = intervalText, items = await usage.TimeseriesAsync(caller.TenantId, since, until, interval, http.RequestAborted) });
    });

    /// <summary>from/to query parameters (ISO 8601); the last 30 days by default.</summary>
    private (DateTimeOffset Since, DateTimeOffset Until) TimeRange(HttpContext http)
    {
        var until = Parse("to") ?? clock.GetUtcNow();
        var since = Parse("from") ?? until.AddDays(-30);
        return since < until ? (since, until) : throw ApiException.BadRequest("'from' must be before 'to'");

        DateTimeOffset? Parse(string name)
        {
            var text = http.Request.Query[name].ToString();
            if (text.Length == 0)
            {
                return null;
            }

            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
                ? value
                : throw ApiException.BadRequest($"'{name}' must be an ISO 8601 time, not '{text}'");
        }
    }
}
