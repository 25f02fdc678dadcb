using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warden.Core.Graphs;
using Warden.Runtime.Engine;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;

namespace Warden.Bench;

/// <summary>
/// Warden built the way the app builds it: <c>AddWarden</c> on a service collection, then the engine's hosted
/// service started (it bootstraps the demo tenant and starts the engine). The only difference is the
/// <see cref="EngineOptions"/> instance, registered again after <c>AddWarden</c> to carry the hop callback.
/// </summary>
public sealed class WardenInstance : IAsyncDisposable
{
    public const string Tenant = SqliteTenantStore.DemoTenant;

    private readonly ServiceProvider _provider;
    private readonly IHostedService _hosted;

    private WardenInstance(ServiceProvider provider, IHostedService hosted)
    {
        _provider = provider;
        _hosted = hosted;
        Engine = provider.GetRequiredService<EmbeddedEngine>();
        RunEngine = provider.GetRequiredService<IRunEngine>();
        Graphs = provider.GetRequiredService<IGraphStore>();
        Database = provider.GetRequiredService<SqliteDatabase>();
    }

    public EmbeddedEngine Engine { get; }

    public IRunEngine RunEngine { get; }

    public IGraphStore Graphs { get; }

    public SqliteDatabase Database { get; }

    public static async Task<WardenInstance> StartAsync(string dataDirectory, SqliteSynchronous synchronous, int workers, Action<TimeSpan>? onHop)
    {
        var settings = new WardenSettings { DataDirectory = dataDirectory, Synchronous = synchronous, Workers = workers };
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        services.AddWarden(settings);

        // Registered last, so it is the one the engine gets: the app's options plus the benchmark's hop callback.
        services.AddSingleton(new EngineOptions { Workers = settings.Workers, OnHop = onHop });
        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().OfType<EngineHostedService>().Single();
        EngineHostedService.ShowBootstrapKey = _ => { };
        await hosted.StartAsync(CancellationToken.None);
        return new WardenInstance(provider, hosted);
    }

    /// <summary>Uploads a graph as the API does (parsed first, then stored as a new version).</summary>
    public async Task UploadAsync(string source)
    {
        var graph = GraphParser.Parse(source);
        await Graphs.SaveVersionAsync(Tenant, graph.Name, graph.Description, source, "yaml");
    }

    public long Scalar(string sql)
    {
        using var connection = Database.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs per status, e.g. "completed=1050".</summary>
    public string StatusCounts()
    {
        using var connection = Database.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT status, COUNT(*) FROM runs GROUP BY status ORDER BY status";
        using var reader = cmd.ExecuteReader();
        var parts = new List<string>();
        while (reader.Read())
        {
            parts.Add($"{reader.GetString(0)}={reader.GetInt64(1)}");
        }

        return parts.Count == 0 ? "no runs" : string.Join(", ", parts);
    }

    /// <summary>
    /// Starts <paramref name="count"/> runs from <paramref name="concurrency"/> concurrent callers. Results are
    /// counted, not kept, so the memory measurement sees only what the engine holds.
    /// </summary>
    public async Task StartRunsAsync(string graphId, int count, int concurrency)
    {
        var next = -1;
        var callers = new Task[Math.Min(count, concurrency)];
        for (var i = 0; i < callers.Length; i++)
        {
            callers[i] = CallerAsync();
        }

        await Task.WhenAll(callers);

        async Task CallerAsync()
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < count)
            {
                await RunEngine.StartRunAsync(new StartRunRequest(Tenant, graphId, null, BenchGraphs.Input, Seed: n));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _hosted.StopAsync(CancellationToken.None);
        await _provider.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
