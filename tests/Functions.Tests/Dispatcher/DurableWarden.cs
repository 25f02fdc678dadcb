using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warden.Core.Graphs;
using Warden.Functions.Runs;
using Warden.Runtime.Engine;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;

namespace Warden.Functions.Tests.Dispatcher;

/// <summary>
/// The Functions host's composition (AddWardenRuntime + AddDurableRunEngine, read from settings as the host reads its
/// app settings) with its orchestrations, activities and entities running on a <see cref="DurableTaskHub"/> over Azurite.
/// </summary>
internal sealed class DurableWarden : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IReadOnlyList<IHostedService> _hosts;
    private readonly string _dataDirectory;

    private DurableWarden(ServiceProvider services, IReadOnlyList<IHostedService> hosts, DurableTaskHub hub, string dataDirectory)
    {
        _services = services;
        _hosts = hosts;
        Hub = hub;
        _dataDirectory = dataDirectory;
    }

    public DurableTaskHub Hub { get; }

    /// <summary>The WARDEN_TABLES_PREFIX of this app's tables.</summary>
    public required string Tables { get; init; }

    public IServiceProvider Services => _services;

    /// <summary>The engine with this hub's client bound, as an HTTP trigger binds its [DurableClient] before calling a handler.</summary>
    public IRunEngine Engine
    {
        get
        {
            DurableClientScope.Use(Hub.Client);
            return _services.GetRequiredService<IRunEngine>();
        }
    }

    public IGuardrailAdmin Guardrails
    {
        get
        {
            DurableClientScope.Use(Hub.Client);
            return _services.GetRequiredService<IGuardrailAdmin>();
        }
    }

    public IRunStore Runs => _services.GetRequiredService<IRunStore>();

    public IGraphStore Graphs => _services.GetRequiredService<IGraphStore>();

    public IUsageStore Usage => _services.GetRequiredService<IUsageStore>();

    /// <param name="join">Another instance of the same app: this one shares its task hub and its tables.</param>
    public static async Task<DurableWarden> StartAsync(string storageConnectionString, IReadOnlyDictionary<string, string?>? settings = null, DurableWarden? join = null)
    {
        var tables = join?.Tables ?? "d" + Guid.NewGuid().ToString("N")[..12];
        var dataDirectory = Path.Combine(Path.GetTempPath(), "warden-durable-" + Guid.NewGuid().ToString("N")[..12]);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["AzureWebJobsStorage"] = storageConnectionString,
            ["WARDEN_DATA_DIR"] = dataDirectory,
            ["WARDEN_BOOTSTRAP_API_KEY"] = "test-admin-key",
            ["WARDEN_TABLES_PREFIX"] = tables,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddWardenRuntime(configuration)
            .AddDurableRunEngine()
            .BuildServiceProvider();
        var hosts = services.GetServices<IHostedService>().ToList();
        foreach (var host in hosts)
        {
            await host.StartAsync(CancellationToken.None);
        }

        var hub = await DurableTaskHub.StartAsync(storageConnectionString, services, join?.Hub.Name);
        return new DurableWarden(services, hosts, hub, dataDirectory) { Tables = tables };
    }

    public async Task<long> UploadAsync(string yaml, string tenant = "demo")
    {
        var graph = GraphParser.Parse(yaml);
        var (version, _) = await Graphs.SaveVersionAsync(tenant, graph.Name, graph.Description, yaml, "yaml");
        return version.Version;
    }

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        foreach (var host in _hosts.Reverse())
        {
            await host.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
