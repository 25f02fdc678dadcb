using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Runtime.Engine;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;
using Warden.Runtime.Testing;

namespace Warden.Bench.Suites;

/// <summary>An embedded Warden composed as `warden serve` composes it (AddWarden, every hosted service started), minus HTTP.</summary>
public sealed class SuiteHost : IAsyncDisposable
{
    public const string Tenant = SqliteTenantStore.DemoTenant;
    private static readonly string[] Terminal = ["completed", "failed", "stopped"];

    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _hosted;

    private SuiteHost(ServiceProvider provider, List<IHostedService> hosted)
    {
        _provider = provider;
        _hosted = hosted;
    }

    public IRunEngine Engine => _provider.GetRequiredService<IRunEngine>();

    public IRunStore Runs => _provider.GetRequiredService<IRunStore>();

    public SuiteRunner Runner => _provider.GetRequiredService<SuiteRunner>();

    public static async Task<SuiteHost> StartAsync(string dataDirectory)
    {
        var settings = new WardenSettings { DataDirectory = dataDirectory, Synchronous = SqliteSynchronous.Normal };

        // research-to-code's mock coder fails its first attempt by design: 16 at once are consecutive failures of the mock
        // provider, which would open its breaker (BREAKER_FAILURE_THRESHOLD, default 5) and measure breaker recovery.
        settings.Guardrails.Breaker = settings.Guardrails.Breaker with { FailureThreshold = 1000, FailureRatio = 1.0 };
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
            .AddWarden(settings);
        var provider = services.BuildServiceProvider();
        EngineHostedService.ShowBootstrapKey = _ => { };
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var host in hosted)
        {
            await host.StartAsync(CancellationToken.None);
        }

        return new SuiteHost(provider, hosted);
    }

    /// <summary>Uploads a graph as the API does; returns its id.</summary>
    public async Task<string> UploadAsync(string yaml)
    {
        var graph = GraphParser.Parse(yaml);
        await _provider.GetRequiredService<IGraphStore>().SaveVersionAsync(Tenant, graph.Name, graph.Description, yaml, "yaml");
        return graph.Name;
    }

    /// <summary>
    /// A plain run, as a client drives one: start it, approve its gates when asked, wait until it ends. Returns its status.
    /// </summary>
    public async Task<string> RunToEndAsync(string graphId, string input, long seed, bool approve)
    {
        var runId = (await Engine.StartRunAsync(new StartRunRequest(Tenant, graphId, null, input, seed))).RunId;
        var decided = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var run = await Runs.GetAsync(Tenant, runId);
            if (run is not null && Terminal.Contains(run.Status))
            {
                return run.Status;
            }

            if (approve)
            {
                foreach (var approval in (await Runs.ListApprovalsAsync(Tenant, runId, "pending")).Where(a => decided.Add(a.Id)))
                {
                    await Engine.SignalAsync(Tenant, runId, new SignalReceived(SignalKind.Approve, "bench", approval.Id));
                }
            }

            await Engine.WaitForChangeAsync(runId, TimeSpan.FromSeconds(1), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _hosted.Count - 1; i >= 0; i--)
        {
            await _hosted[i].StopAsync(CancellationToken.None);
        }

        await _provider.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
