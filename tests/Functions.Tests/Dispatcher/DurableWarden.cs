using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warden.Core.Graphs;
using Warden.Functions.Http;
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
    /// <summary>The admin key of the demo tenant every instance bootstraps.</summary>
    public const string ApiKey = "test-admin-key";

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
            ["WARDEN_BOOTSTRAP_API_KEY"] = ApiKey,
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

    /// <summary>Calls one HTTP trigger of this instance as the Functions host would: its request, its [DurableClient], its services.</summary>
    public async Task<(int Status, string Body)> CallTriggerAsync(
        Func<ApiTriggers, HttpRequest, DurableTaskClient, Task<IActionResult>> trigger,
        string method,
        string path,
        string? body = null,
        string contentType = "application/json")
    {
        var http = new DefaultHttpContext { RequestServices = _services };
        http.Request.Method = method;
        http.Request.Path = path;
        http.Request.Headers["X-API-Key"] = ApiKey;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            http.Request.Body = new MemoryStream(bytes);
            http.Request.ContentType = contentType;
            http.Request.ContentLength = bytes.Length;
        }

        using var response = new MemoryStream();
        http.Response.Body = response;
        var triggers = ActivatorUtilities.CreateInstance<ApiTriggers>(_services);
        var result = await trigger(triggers, http.Request, Hub.Client);
        await result.ExecuteResultAsync(new ActionContext(http, new RouteData(), new ActionDescriptor()));
        return (http.Response.StatusCode, Encoding.UTF8.GetString(response.ToArray()));
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
