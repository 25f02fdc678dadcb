using Microsoft.Azure.Functions.Worker;
using Warden.Runtime.Scheduled;

namespace Warden.Functions.Scheduled;

/// <summary>The release guard and the drift check, on schedules from app settings (six-field NCRONTAB).</summary>
public sealed class ScheduledChecks(ReleaseGuardCheck releaseGuard, DriftCheck drift)
{
    [Function(nameof(ReleaseGuardCheck))]
    public Task CheckReleases([TimerTrigger("%RELEASE_GUARD_SCHEDULE%")] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return releaseGuard.RunAsync(context.CancellationToken);
    }

    [Function(nameof(DriftCheck))]
    public Task CheckDrift([TimerTrigger("%DRIFT_CHECK_SCHEDULE%")] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return drift.RunAsync(context.CancellationToken);
    }
}
