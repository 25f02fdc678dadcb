using System.Globalization;
using Microsoft.Extensions.Logging;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Scheduled;

/// <summary>One tenant's LLM health over the guard's window.</summary>
public sealed record ReleaseHealth(string TenantId, long Calls, long Errors, decimal CostUsd, long P95LatencyMs, bool Breached)
{
    public double ErrorRate => Calls == 0 ? 0 : (double)Errors / Calls;
}

/// <summary>
/// The release guard a host runs on a schedule. For now it reads the last hour of LLM usage per tenant and logs
/// it, warning when the error rate passes the threshold; it grows into per-release SLO evaluation and automatic
/// rollback when releases land.
/// </summary>
public sealed partial class ReleaseGuardCheck(ITenantDirectory tenants, IUsageStore usage, TimeProvider clock, ILogger<ReleaseGuardCheck> logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>An error share at or above this, over at least <see cref="MinimumCalls"/> calls, breaches the guard.</summary>
    public const double ErrorRateThreshold = 0.5;

    public const int MinimumCalls = 10;

    public async Task<IReadOnlyList<ReleaseHealth>> RunAsync(CancellationToken ct = default)
    {
        var until = clock.GetUtcNow();
        var results = new List<ReleaseHealth>();
        foreach (var tenant in await tenants.ListTenantIdsAsync(ct))
        {
            var summary = await usage.SummaryAsync(tenant, until - Window, until, ct);
            var breached = summary.Calls >= MinimumCalls && summary.Errors >= ErrorRateThreshold * summary.Calls;
            var health = new ReleaseHealth(tenant, summary.Calls, summary.Errors, summary.CostUsd, summary.P95LatencyMs, breached);
            var rate = health.ErrorRate.ToString("0.###", CultureInfo.InvariantCulture);
            if (breached)
            {
                LogBreached(logger, tenant, summary.Errors, summary.Calls, rate);
            }
            else
            {
                LogHealthy(logger, tenant, summary.Calls, rate, summary.CostUsd, summary.P95LatencyMs);
            }

            results.Add(health);
        }

        return results;
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Release guard: tenant {TenantId} made {Calls} LLM calls in the last hour (error rate {ErrorRate}, cost ${CostUsd}, p95 {P95LatencyMs} ms)")]
    private static partial void LogHealthy(ILogger logger, string tenantId, long calls, string errorRate, decimal costUsd, long p95LatencyMs);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Release guard: tenant {TenantId} had {Errors} of {Calls} LLM calls fail in the last hour (error rate {ErrorRate})")]
    private static partial void LogBreached(ILogger logger, string tenantId, long errors, long calls, string errorRate);
}
