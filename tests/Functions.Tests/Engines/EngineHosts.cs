using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Functions.Tests.Dispatcher;
using Warden.Runtime.Engine;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;

namespace Warden.Functions.Tests.Engines;

/// <summary>One <see cref="IRunEngine"/> implementation as its host composes it, with the stores the API reads.</summary>
public interface IEngineHost : IAsyncDisposable
{
    IRunEngine Engine { get; }

    IGuardrailAdmin Guardrails { get; }

    IRunStore Runs { get; }

    IGraphStore Graphs { get; }

    IUsageStore Usage { get; }

    /// <summary>The host's composition, for the services a scenario reads beyond the engine (replay, recordings).</summary>
    IServiceProvider Services { get; }
}

/// <summary>The embedded engine on a SQLite file, composed as <c>warden serve</c> composes it (AddWarden).</summary>
internal sealed class EmbeddedEngineHost : IEngineHost
{
    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _hosts;
    private readonly string _directory;

    private EmbeddedEngineHost(ServiceProvider services, List<IHostedService> hosts, string directory)
    {
        _services = services;
        _hosts = hosts;
        _directory = directory;
    }

    public IRunEngine Engine => _services.GetRequiredService<IRunEngine>();

    public IGuardrailAdmin Guardrails => _services.GetRequiredService<IGuardrailAdmin>();

    public IRunStore Runs => _services.GetRequiredService<IRunStore>();

    public IGraphStore Graphs => _services.GetRequiredService<IGraphStore>();

    public IUsageStore Usage => _services.GetRequiredService<IUsageStore>();

    public IServiceProvider Services => _services;

    /// <param name="settings">Settings by their environment-variable names, read as the host reads its environment.</param>
    public static async Task<EmbeddedEngineHost> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var directory = Path.Combine(Path.GetTempPath(), "warden-embedded-" + Guid.NewGuid().ToString("N")[..12]);
        string? Read(string name) => name == "WARDEN_DATA_DIR" ? directory : settings.GetValueOrDefault(name);
        var options = WardenSettings.FromEnvironment(Read);
        options.BootstrapApiKey = "test-admin-key";
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddWarden(options, clock: null, environment: Read)
            .BuildServiceProvider();
        EngineHostedService.ShowBootstrapKey = _ => { };
        var hosts = services.GetServices<IHostedService>().ToList();
        foreach (var host in hosts)
        {
            await host.StartAsync(CancellationToken.None);
        }

        return new EmbeddedEngineHost(services, hosts, directory);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>The Durable engine: the Functions host's composition, its orchestrations and entities on a real task hub.</summary>
internal sealed class DurableEngineHost(DurableWarden warden) : IEngineHost
{
    public DurableWarden Warden => warden;

    public IRunEngine Engine => warden.Engine;

    public IGuardrailAdmin Guardrails => warden.Guardrails;

    public IRunStore Runs => warden.Runs;

    public IGraphStore Graphs => warden.Graphs;

    public IUsageStore Usage => warden.Usage;

    public IServiceProvider Services => warden.Services;

    public static async Task<DurableEngineHost> StartAsync(string storageConnectionString, IReadOnlyDictionary<string, string?> settings) =>
        new(await DurableWarden.StartAsync(storageConnectionString, settings));

    public ValueTask DisposeAsync() => warden.DisposeAsync();
}

public static class EngineHostExtensions
{
    public const string Tenant = "demo";

    public static async Task<string> StartAsync(this IEngineHost host, string yaml, string input = """{"task":"sort numbers"}""", long seed = 7, RunOptions? options = null)
    {
        var graph = GraphParser.Parse(yaml);
        await host.Graphs.SaveVersionAsync(Tenant, graph.Name, graph.Description, yaml, "yaml");
        return (await host.Engine.StartRunAsync(new StartRunRequest(Tenant, graph.Name, null, input, seed, options))).RunId;
    }

    /// <summary>Waits (bounded by real time: Durable timers are real) until the run satisfies the condition.</summary>
    public static async Task<RunRecord> WaitForAsync(this IEngineHost host, string runId, Func<RunRecord, bool> condition, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        RunRecord? run = null;
        while (DateTime.UtcNow < deadline)
        {
            run = await host.Runs.GetAsync(Tenant, runId);
            if (run is not null && condition(run))
            {
                return run;
            }

            await host.Engine.WaitForChangeAsync(runId, TimeSpan.FromMilliseconds(200));
            await Task.Delay(20);
        }

        throw new TimeoutException($"run {runId} did not reach the expected state in {timeoutSeconds}s; last status {run?.Status}");
    }

    public static Task<RunRecord> WaitForEndAsync(this IEngineHost host, string runId, int timeoutSeconds = 60) =>
        host.WaitForAsync(runId, r => r.Status is "completed" or "failed" or "stopped", timeoutSeconds);

    public static async Task<RunRecord> RunToEndAsync(this IEngineHost host, string yaml, string input = """{"task":"sort numbers"}""", long seed = 7) =>
        await host.WaitForEndAsync(await host.StartAsync(yaml, input, seed));

    public static async Task<IReadOnlyList<RunEventRecord>> TimelineAsync(this IEngineHost host, string runId) =>
        await host.Runs.ListEventsAsync(Tenant, runId, 0, 10_000);

    /// <summary>The timeline without its times: what the decider decided, in order.</summary>
    public static async Task<IReadOnlyList<string>> StepsAsync(this IEngineHost host, string runId) =>
        [.. (await host.TimelineAsync(runId)).Select(e => e.NodeId is null ? e.Type : $"{e.Type}:{e.NodeId}:{e.Attempt}")];
}
