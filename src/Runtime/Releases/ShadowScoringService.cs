using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Releases;

/// <summary>
/// Scores ended shadow pairs in the background on either host, every few seconds, so a divergence is flagged (audited,
/// counted, logged) soon after the shadow ends, without anyone reading the results. Scoring is idempotent per pair, so
/// several instances may run it at once.
/// </summary>
public sealed partial class ShadowScoringService(ITenantStore tenants, ShadowService shadows, TimeProvider clock, ILogger<ShadowScoringService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var tenant in await tenants.ListTenantIdsAsync(stoppingToken))
                {
                    await shadows.ScorePendingAsync(tenant, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Shadow scoring failed; trying again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
