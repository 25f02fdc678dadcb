using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;

namespace Warden.Cli.Client;

/// <summary>
/// Warden in this process: the same Kestrel host `serve` runs, on a free loopback port, driven through the
/// same HTTP API as a remote server. Used by `demo` and by `run` without --server.
/// </summary>
public sealed class LocalWarden : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalWarden(WebApplication app, WardenClient client)
    {
        _app = app;
        Client = client;
    }

    public WardenClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<LocalWarden> StartAsync(string dataDirectory, SqliteSynchronous synchronous, CancellationToken ct)
    {
        var key = ApiKeyFor(dataDirectory);
        var settings = new WardenSettings
        {
            DataDirectory = dataDirectory,
            Synchronous = synchronous,
            Url = "http://127.0.0.1:0",
            BootstrapApiKey = key,
        };
        var app = WardenWebHost.Build(settings, minimumLogLevel: LogLevel.Warning);
        EngineHostedService.ShowBootstrapKey = _ => { };
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalWarden(app, WardenClient.Create(address, key));
    }

    /// <summary>In-process runs use a local admin key kept beside the database (same trust boundary as the file).</summary>
    private static string ApiKeyFor(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "local-admin.key");
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var key = Runtime.Storage.Sqlite.ApiKeys.Generate();
        File.WriteAllText(path, key);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return key;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
