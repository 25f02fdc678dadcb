using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Hosting;

/// <summary>
/// Seeds an empty store with the demo tenant for a host without the embedded engine (which does this itself).
/// Only with WARDEN_BOOTSTRAP_API_KEY set: such a host has no console to show a generated key on, and a key
/// must never reach the logs.
/// </summary>
public sealed partial class TenantBootstrapService(ITenantStore tenants, WardenSettings settings, ILogger<TenantBootstrapService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(settings.BootstrapApiKey))
        {
            return;
        }

        if (await tenants.BootstrapAsync(settings.BootstrapApiKey, cancellationToken) is not null)
        {
            LogBootstrapped(logger);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Created tenant 'demo' with the admin API key from WARDEN_BOOTSTRAP_API_KEY")]
    private static partial void LogBootstrapped(ILogger logger);
}
