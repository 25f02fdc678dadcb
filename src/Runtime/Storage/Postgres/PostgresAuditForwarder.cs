using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Warden.Runtime.Storage.Postgres;

/// <summary>
/// Moves the embedded engine's audit rows from the local audit_outbox (see <see cref="AuditOutbox"/>) to the
/// PostgreSQL chain, oldest first: append there (once per outbox id), then delete here. Registered before the engine's
/// hosted service, so it stops after the engine and forwards what the engine's last commits queued.
/// </summary>
public sealed partial class PostgresAuditForwarder(SqliteDatabase local, PostgresAuditLog audit, ILogger<PostgresAuditForwarder> logger) : BackgroundService
{
    private const int Batch = 100;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    /// <summary>Forwards everything queued now; returns how many rows it moved.</summary>
    public async Task<int> ForwardAsync(CancellationToken ct)
    {
        var moved = 0;
        while (true)
        {
            var rows = await AuditOutbox.ReadAsync(local, Batch);
            foreach (var row in rows)
            {
                await audit.AppendForwardedAsync(row, ct);
                await AuditOutbox.DeleteAsync(local, row.Id);
                moved++;
            }

            if (rows.Count < Batch)
            {
                return moved;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await ForwardAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // What is left stays queued and goes at the next start.
            LogForwardFailed(logger, ex);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = PollInterval;
            try
            {
                await ForwardAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database is away: rows wait in the outbox, in order, until it is back.
                LogForwardFailed(logger, ex);
                wait = RetryInterval;
            }

            try
            {
                await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "Could not forward audit rows to PostgreSQL; they stay queued and are retried")]
    private static partial void LogForwardFailed(ILogger logger, Exception ex);
}
