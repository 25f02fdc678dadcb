using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Releases;

/// <summary>
/// <c>warden serve</c>'s schedule for the release guard (the Functions host uses a timer trigger instead): every
/// RELEASE_GUARD_INTERVAL on the host's clock, one pass over every active release.
/// </summary>
public sealed partial class ReleaseGuardScheduler(ReleaseGuard guard, WardenSettings settings, TimeProvider clock, ILogger<ReleaseGuardScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.ReleaseGuardInterval is not { } every)
        {
            return;
        }

        using var timer = new PeriodicTimer(every, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await guard.CheckActiveReleasesAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPassFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "Release guard: a scheduled pass failed; the next one runs on schedule")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
