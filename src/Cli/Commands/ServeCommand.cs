using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Warden.Runtime.Hosting;
using Warden.Runtime.Secrets;
using Warden.Runtime.Storage.Postgres;

namespace Warden.Cli.Commands;

public static class ServeCommand
{
    public static async Task<int> RunAsync(string? dataDirectory, string? urls, string? synchronous, string? store, IAnsiConsole console, CancellationToken ct)
    {
        // SECRET_BACKEND=keyvault reads provider keys, WARDEN_STORE and the bootstrap key from Key Vault; env (default) as before.
        var read = SecretResolution.Resolve(Environment.GetEnvironmentVariable);
        var settings = WardenSettings.FromEnvironment(read);
        settings.DataDirectory = dataDirectory ?? settings.DataDirectory;
        settings.Url = urls ?? settings.Url;
        if (synchronous is not null)
        {
            settings.Synchronous = WardenSettings.ParseSynchronous(synchronous)
                ?? throw new ConfigurationException($"--synchronous must be FULL or NORMAL, not '{synchronous}'");
        }

        if (store is not null)
        {
            settings.SelectStore(store, "--store", read);
        }

        var app = WardenWebHost.Build(settings, environment: read);
        await app.StartAsync(ct);
        var shared = settings switch
        {
            { Store: { } postgres } => $", store postgres {PostgresConnectionString.Describe(postgres)}",
            { Tables: { } tables } => $", store tables {tables.Description}",
            _ => string.Empty,
        };
        console.MarkupLine($"Warden listening on [blue]{Markup.Escape(string.Join(", ", app.Urls))}[/] (data {Markup.Escape(Path.GetFullPath(settings.DataDirectory))}, synchronous {settings.Synchronous.ToString().ToUpperInvariant()}{Markup.Escape(shared)})");
        try
        {
            await app.WaitForShutdownAsync(ct);
        }
        finally
        {
            await app.DisposeAsync();
        }

        return 0;
    }
}
