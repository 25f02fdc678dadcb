using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warden.Core.Audit;

namespace Warden.Runtime.Storage;

/// <summary>
/// Moves the embedded engine's audit rows from the local audit_outbox (see <see cref="AuditOutbox"/>) to the shared
/// chain, whichever store keeps it (PostgreSQL, Table Storage), oldest first: append there (once per outbox id), then
/// delete here. Registered before the engine's hosted service, so it stops after the engine and forwards what the
/// engine's last commits queued.
/// </summary>
public sealed partial class AuditForwarder : BackgroundService
{
    private const int Batch = 100;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    private readonly SqliteDatabase _local;
    private readonly IForwardedAuditLog _audit;
    private readonly ILogger<AuditForwarder> _logger;

    /// <param name="audit">The registered audit log; it must take forwarded rows once (<see cref="IForwardedAuditLog"/>).</param>
    public AuditForwarder(SqliteDatabase local, IAuditLog audit, ILogger<AuditForwarder> logger)
    {
        _local = local;
        _audit = audit as IForwardedAuditLog
            ?? throw new InvalidOperationException($"{audit?.GetType().Name ?? "no audit log"} cannot take forwarded audit rows: the forwarder runs only with a shared store");
        _logger = logger;
    }

    /// <summary>Forwards everything queued now; returns how many rows it moved.</summary>
    public async Task<int> ForwardAsync(CancellationToken ct)
    {
        var moved = 0;
        while (true)
        {
            var rows = await AuditOutbox.ReadAsync(_local, Batch);
            foreach (var row in rows)
            {
                await _audit.AppendForwardedAsync(row, ct);
                await AuditOutbox.DeleteAsync(_local, row.Id);
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
            LogForwardFailed(_logger, ex);
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
                // The shared store is away: rows wait in the outbox, in order, until it is back.
                LogForwardFailed(_logger, ex);
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

    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "Could not forward audit rows to the shared audit log; they stay queued and are retried")]
    private static partial void LogForwardFailed(ILogger logger, Exception ex);
}

/// <summary>An audit log in a shared store that can take the embedded engine's outbox rows, each exactly once.</summary>
internal interface IForwardedAuditLog
{
    /// <summary>Appends the row unless this outbox id was appended before; the id is recorded with the row, atomically.</summary>
    /// <returns>The appended row, or null when this outbox row was forwarded before.</returns>
    Task<AuditEntry?> AppendForwardedAsync(AuditOutboxRow row, CancellationToken ct);
}
