using Microsoft.Azure.Functions.Worker;
using Warden.Runtime.Releases;
using Warden.Runtime.Scheduled;

namespace Warden.Functions.Scheduled;

/// <summary>The release guard (every active release against its SLOs, rolling back on a breach) and the drift check, on schedules from app settings (six-field NCRONTAB).</summary>
public sealed class ScheduledChecks(ReleaseGuard releaseGuard, DriftCheck drift)
{
    [Function(nameof(ReleaseGuard))]
    public Task CheckReleases([TimerTrigger("%RELEASE_GUARD_SCHEDULE%")] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return releaseGuard.CheckActiveReleasesAsync(context.CancellationToken);
    }

    [Function(nameof(DriftCheck))]
    public Task CheckDrift([TimerTrigger("%DRIFT_CHECK_SCHEDULE%")] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return drift.RunAsync(context.CancellationToken);
    }
}
