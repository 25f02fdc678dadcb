using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warden.Core.Runs;
using Warden.Runtime.Engine;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Tests.Support;

/// <summary>A clock tests move by hand; everything else about time stays real.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>The real engine over a real SQLite file in a temp directory, composed as the hosts compose it.</summary>
public sealed class TestWarden : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IReadOnlyList<IHostedService> _hosts;

    private TestWarden(string dataDirectory, ServiceProvider services, IReadOnlyList<IHostedService> hosts)
    {
        DataDirectory = dataDirectory;
        _services = services;
        _hosts = hosts;
    }

    public string DataDirectory { get; }

    public EmbeddedEngine Engine => _services.GetRequiredService<EmbeddedEngine>();

    public IGraphStore Graphs => _services.GetRequiredService<IGraphStore>();

    public IRunStore Runs => _services.GetRequiredService<IRunStore>();

    public ITenantStore Tenants => _services.GetRequiredService<ITenantStore>();

    public SqliteDatabase Database => _services.GetRequiredService<SqliteDatabase>();

    public IUsageStore Usage => _services.GetRequiredService<IUsageStore>();

    public ICatalogStore Catalog => _services.GetRequiredService<ICatalogStore>();

    public IServiceProvider Services => _services;

    public IAuditLog Audit => _services.GetRequiredService<IAuditLog>();

    /// <summary>Runs a scalar SQL query against the store (for assertions on raw rows).</summary>
    public T Scalar<T>(string sql, params (string Name, object Value)[] args)
    {
        using var connection = Database.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return (T)Convert.ChangeType(cmd.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N")[..12]);

    public static async Task<TestWarden> StartAsync(
        string? dataDirectory = null,
        TimeProvider? clock = null,
        Action<WardenSettings>? configure = null,
        Action<IServiceCollection>? services = null)
    {
        var dir = dataDirectory ?? NewDataDirectory();
        var settings = new WardenSettings { DataDirectory = dir, Synchronous = SqliteSynchronous.Normal, BootstrapApiKey = "test-admin-key" };
        configure?.Invoke(settings);
        var collection = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddWarden(settings, clock);
        services?.Invoke(collection);
        var provider = collection.BuildServiceProvider();
        EngineHostedService.ShowBootstrapKey = _ => { };

        // Every hosted service, in the host's order (the engine, and with PostgreSQL the audit forwarder).
        var hosts = provider.GetServices<IHostedService>().ToList();
        foreach (var host in hosts)
        {
            await host.StartAsync(CancellationToken.None);
        }

        return new TestWarden(dir, provider, hosts);
    }

    public async Task<long> UploadAsync(string yaml, string tenant = "demo")
    {
        var graph = Core.Graphs.GraphParser.Parse(yaml);
        var (version, _) = await Graphs.SaveVersionAsync(tenant, graph.Name, graph.Description, yaml, "yaml");
        return version.Version;
    }

    public Task<StartRunResult> StartAsync(string graphId, string input = "{}", string tenant = "demo", long seed = 7) =>
        Engine.StartRunAsync(new StartRunRequest(tenant, graphId, null, input, seed));

    /// <summary>Waits (bounded) until the run satisfies the condition; returns the last record read.</summary>
    public async Task<RunRecord> WaitForAsync(string runId, Func<RunRecord, bool> condition, string tenant = "demo", int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        RunRecord? run = null;
        while (DateTime.UtcNow < deadline)
        {
            run = await Runs.GetAsync(tenant, runId);
            if (run is not null && condition(run))
            {
                return run;
            }

            await Engine.WaitForChangeAsync(runId, TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"run {runId} did not reach the expected state; last status {run?.Status}");
    }

    public Task<RunRecord> WaitForEndAsync(string runId, string tenant = "demo") =>
        WaitForAsync(runId, r => r.Status is "completed" or "failed" or "stopped", tenant);

    /// <summary>Waits (bounded) for the one audit row of <paramref name="action"/>: engine rows reach a shared chain through the forwarder.</summary>
    public async Task<Core.Audit.AuditEntry> WaitForAuditRowAsync(string action, string tenant = "demo")
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if ((await Audit.QueryAsync(tenant, new AuditQuery(Action: action))).Items.SingleOrDefault() is { } row)
            {
                return row;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no '{action}' row reached the audit chain");
    }

    public async Task<IReadOnlyList<RunEventRecord>> EventsAsync(string runId, string tenant = "demo") =>
        await Runs.ListEventsAsync(tenant, runId, 0, 10_000);

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts.Reverse())
        {
            await host.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
    }

    public static string Signal(SignalKind kind) => kind.ToString();
}
