using System.Globalization;
using Microsoft.Extensions.Logging;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Scheduled;

/// <summary>How one tenant's last hour compares with the day before it, per LLM call.</summary>
public sealed record UsageDrift(string TenantId, long RecentCalls, decimal? CostRatio, double? LatencyRatio, bool Drifted);

/// <summary>
/// The drift check a host runs on a schedule. For now it compares cost per call and p95 latency of the last hour
/// with the 24 hours before it and logs the ratios, warning past <see cref="RatioThreshold"/>; it grows into
/// output-quality drift against suite baselines later.
/// </summary>
public sealed partial class DriftCheck(ITenantDirectory tenants, IUsageStore usage, TimeProvider clock, ILogger<DriftCheck> logger)
{
    public static readonly TimeSpan Recent = TimeSpan.FromHours(1);

    public static readonly TimeSpan Baseline = TimeSpan.FromHours(24);

    public const double RatioThreshold = 2.0;

    public async Task<IReadOnlyList<UsageDrift>> RunAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var results = new List<UsageDrift>();
        foreach (var tenant in await tenants.ListTenantIdsAsync(ct))
        {
            var recent = await usage.SummaryAsync(tenant, now - Recent, now, ct);
            var baseline = await usage.SummaryAsync(tenant, now - Recent - Baseline, now - Recent, ct);
            decimal? costRatio = recent.Calls > 0 && baseline.Calls > 0 && baseline.CostUsd > 0
                ? recent.CostUsd / recent.Calls / (baseline.CostUsd / baseline.Calls)
                : null;
            double? latencyRatio = recent.Calls > 0 && baseline.P95LatencyMs > 0 ? (double)recent.P95LatencyMs / baseline.P95LatencyMs : null;
            var drifted = costRatio >= (decimal)RatioThreshold || latencyRatio >= RatioThreshold;
            var drift = new UsageDrift(tenant, recent.Calls, costRatio, latencyRatio, drifted);
            var cost = costRatio?.ToString("0.##", CultureInfo.InvariantCulture) ?? "n/a";
            var latency = latencyRatio?.ToString("0.##", CultureInfo.InvariantCulture) ?? "n/a";
            if (drifted)
            {
                LogDrifted(logger, tenant, cost, latency);
            }
            else
            {
                LogSteady(logger, tenant, recent.Calls, cost, latency);
            }

            results.Add(drift);
        }

        return results;
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Drift check: tenant {TenantId} made {Calls} LLM calls in the last hour (cost per call x{CostRatio}, p95 latency x{LatencyRatio} of the day before)")]
    private static partial void LogSteady(ILogger logger, string tenantId, long calls, string costRatio, string latencyRatio);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Drift check: tenant {TenantId} drifted in the last hour (cost per call x{CostRatio}, p95 latency x{LatencyRatio} of the day before)")]
    private static partial void LogDrifted(ILogger logger, string tenantId, string costRatio, string latencyRatio);
}
