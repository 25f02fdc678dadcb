using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warden.Core.Costs;
using Warden.Runtime.Api;
using Warden.Runtime.Engine;
using Warden.Runtime.Execution;
using Warden.Runtime.Governance;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Providers;
using Warden.Runtime.Scheduled;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Postgres;
using Warden.Runtime.Storage.Sqlite;
using Warden.Runtime.Storage.Tables;
using Warden.Runtime.Telemetry;
using Warden.Runtime.Tools;

namespace Warden.Runtime.Hosting;

public static class WardenServices
{
    /// <summary>Registers the stores, providers, node executor, embedded engine and API handlers.</summary>
    /// <param name="environment">Where provider keys are read (see <see cref="ProviderConfiguration"/>); defaults to the process
    /// environment. Read here, at start-up, so a half-configured provider stops the host with one line naming the variable.</param>
    public static IServiceCollection AddWarden(this IServiceCollection services, WardenSettings settings, TimeProvider? clock = null, Func<string, string?>? environment = null)
    {
        AddShared(services, settings, clock, environment, embeddedEngine: true);
        AddLocalDatabase(services, settings);

        // The embedded engine keeps runs, timeline, approvals, usage, guardrail state and oversight tasks in its SQLite file.
        services.AddSingleton<IRunStore, SqliteRunStore>();
        services.AddSingleton<IUsageStore, SqliteUsageStore>();
        services.AddSingleton<ITaskStore, SqliteTaskStore>();

        // The writer records every run's decider inputs beside its state; recordings live in the same file.
        services.AddSingleton<Replay.IRunHistoryStore, SqliteRunHistoryStore>();
        services.AddSingleton<Replay.IRecordingStore, SqliteRecordingStore>();

        // Suites and suite runs where WARDEN_STORE puts the shared data (PostgreSQL or Table Storage, so every instance
        // reads them), else in the SQLite file. The case runs they start are the engine's, in the SQLite file either way.
        // Only a host that owns its suite store alone may end, at start-up, the suite runs a killed process left running.
        var ownsSuites = !settings.IsSharedStore;
        if (settings.Tables is not null)
        {
            AddSuites<TablesSuiteStore>(services, abandonAtStart: ownsSuites);
        }
        else if (settings.Store is not null)
        {
            AddSuites<PostgresSuiteStore>(services, abandonAtStart: ownsSuites);
        }
        else
        {
            AddSuites<SqliteSuiteStore>(services, abandonAtStart: ownsSuites);
        }

        // Judge calls are usage like any step's: the engine's writer puts their rows beside the steps', in the SQLite file.
        services.AddSingleton<IUsageRecorder>(sp => sp.GetRequiredService<EmbeddedEngine>());
        services.AddSingleton<Testing.JudgeService>();
        services.AddSingleton<EmbeddedEngine>();
        services.AddSingleton<IRunEngine>(sp => sp.GetRequiredService<EmbeddedEngine>());
        services.AddSingleton<IGuardrailAdmin>(sp => sp.GetRequiredService<EmbeddedEngine>());
        services.AddSingleton<ITaskEngine>(sp => sp.GetRequiredService<EmbeddedEngine>());
        services.AddHostedService<EngineHostedService>();
        services.AddHostedService<Releases.ReleaseGuardScheduler>();
        return services;
    }

    /// <summary>
    /// Everything <see cref="AddWarden"/> registers except the engine, for a host that brings its own
    /// <see cref="IRunEngine"/> and <see cref="IGuardrailAdmin"/> (the Functions host's Durable engine), plus the
    /// run projection and scheduled checks such a host uses. Settings and provider keys are read from
    /// <paramref name="configuration"/> under the same names as the environment variables; with <c>SECRET_BACKEND=keyvault</c>
    /// the secret ones come from Key Vault (see <see cref="Secrets.SecretResolution"/>).
    /// <para>
    /// The run side (runs, timeline, approvals, LLM usage) is the Durable engine's read model and always lives in Azure
    /// Table Storage beside its task hub, whatever <c>WARDEN_STORE</c> says: an instance's disk is neither shared nor kept.
    /// The account is the one <see cref="TableStorage.FromSettings"/> names (AzureWebJobsStorage, so Azurite locally and the
    /// app's identity on Azure). <c>WARDEN_STORE</c> still decides where tenants, graphs, catalog and audit live.
    /// </para>
    /// </summary>
    public static IServiceCollection AddWardenRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // SECRET_BACKEND=keyvault puts provider keys, the store and the bootstrap key in Key Vault (see SecretResolution).
        var read = Secrets.SecretResolution.Resolve(name => configuration[name]);
        var settings = WardenSettings.FromEnvironment(read);

        // Opened now, so a missing or malformed account setting stops start-up with one line naming it. On this host the
        // shared store defaults to the app's own storage account: an instance never writes a database on its own disk.
        var tables = settings.Tables ?? TableStorage.FromSettings(read);
        if (!settings.IsSharedStore)
        {
            settings.Tables = tables;
        }

        AddShared(services, settings, clock: null, read, embeddedEngine: false);
        if (settings.Tables is null)
        {
            // WARDEN_STORE names PostgreSQL for tenants, graphs and audit; the run side stays beside the task hub.
            services.AddSingleton(tables);
        }

        services.AddSingleton<IRunProjection, TablesRunProjection>();
        services.AddSingleton<IRunStore, TablesRunStore>();
        services.AddSingleton<IUsageStore, TablesUsageStore>();
        services.AddSingleton<Replay.IRunHistoryStore, TablesRunHistoryStore>();
        services.AddSingleton<Replay.IRecordingStore, TablesRecordingStore>();

        // Suites beside the run side, so any instance reads a suite run another started. Its runner lives in the process
        // that started it: at start-up every instance ends the suite runs still running as interrupted.
        AddSuites<TablesSuiteStore>(services, abandonAtStart: false);
        services.AddSingleton<IUsageRecorder, ProjectionUsageRecorder>();
        services.AddSingleton<Testing.JudgeService>();

        // The run side above never resolves this. What still may, and so opens a file on the instance's disk, is
        // AddDataStores' choice: its SQLite stores (no WARDEN_STORE) and the PostgreSQL branch's audit forwarder, which
        // drains a local outbox that only the embedded engine fills.
        AddLocalDatabase(services, settings);

        // No oversight-task engine on this host: the task endpoints, reads included, answer 501.
        services.AddSingleton<UnavailableTaskEngine>();
        services.AddSingleton<ITaskEngine>(sp => sp.GetRequiredService<UnavailableTaskEngine>());
        services.AddSingleton<ITaskStore>(sp => sp.GetRequiredService<UnavailableTaskEngine>());

        services.AddSingleton<DriftCheck>();
        services.AddHostedService<TenantBootstrapService>();
        return services;
    }

    /// <param name="embeddedEngine">The host runs the embedded engine, whose audit rows reach a shared chain through a local
    /// outbox and the forwarder; the Durable host appends straight to the shared chain and has no outbox to drain.</param>
    private static void AddShared(IServiceCollection services, WardenSettings settings, TimeProvider? clock, Func<string, string?>? environment, bool embeddedEngine)
    {
        var providers = ProviderConfiguration.FromEnvironment(environment);
        services.AddSingleton(settings);

        // First, so the providers exist before the engine starts and are flushed after it stops; a factory
        // registration, so the container disposes (flushes and shuts down) them with the host.
        services.AddSingleton(_ => TelemetrySetup.Create(settings.Telemetry));
        services.AddHostedService<TelemetryHostedService>();
        services.AddSingleton(clock ?? TimeProvider.System);
        AddDataStores(services, settings, forwardEngineAudit: embeddedEngine);
        services.AddSingleton(PriceTable.Default);
        services.AddSingleton<ILlmClient, MockLlmClient>();
        foreach (var provider in providers)
        {
            // A factory rather than an instance registration, so the container disposes the clients it hands out.
            services.AddSingleton(_ => provider);
        }

        services.AddSingleton(sp => new ProviderRegistry(sp.GetServices<ILlmClient>()));
        services.AddSingleton(sp => new ProviderRouter(sp.GetRequiredService<ProviderRegistry>(), sp.GetRequiredService<PriceTable>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ToolInvoker(sp.GetRequiredService<ICatalogStore>(), new HttpClient { Timeout = Timeout.InfiniteTimeSpan }));
        services.AddSingleton(new GovernanceScreen(settings.Governance));
        services.AddSingleton(sp => new Replay.ReplaySource(sp.GetRequiredService<Replay.IRecordingStore>()));
        services.AddSingleton<Replay.RunRecorder>();
        services.AddSingleton(sp => new NodeExecutor(
            sp.GetRequiredService<ProviderRouter>(),
            sp.GetRequiredService<ToolInvoker>(),
            sp.GetRequiredService<GovernanceScreen>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Replay.ReplaySource>()));
        services.AddSingleton(new EngineOptions { Workers = settings.Workers, Tasks = settings.Tasks, ForwardAudit = embeddedEngine && settings.IsSharedStore, AllowChaosCrash = settings.AllowChaosCrash });
        services.AddSingleton(settings.Guardrails);
        services.AddSingleton<Releases.ReleaseService>();
        services.AddSingleton<Releases.ShadowService>();
        services.AddSingleton<Releases.IShadowScores>(sp => sp.GetRequiredService<Releases.ShadowService>());
        services.AddHostedService<Releases.ShadowScoringService>();

        // The release guard (and the scheduled checks) see the tenants of whichever tenant store the data stores registered.
        services.AddSingleton<ITenantDirectory>(sp => sp.GetRequiredService<ITenantStore>());
        services.AddSingleton<Releases.ReleaseMeasurements>();
        services.AddSingleton<Releases.ReleaseGuard>();
        services.AddSingleton<WardenApi>();
    }

    /// <summary>The suite store, the runner that starts each case through the host's engine, and the dispatcher that runs them in the background.</summary>
    /// <param name="abandonAtStart">The host is its data's only process (the embedded engine), so at start-up nothing else
    /// can still be running a suite run marked running.</param>
    private static void AddSuites<TStore>(IServiceCollection services, bool abandonAtStart)
        where TStore : class, ISuiteStore
    {
        services.AddSingleton<ISuiteStore, TStore>();
        services.AddSingleton<Testing.SuiteRunner>();
        services.AddSingleton(sp => new Testing.SuiteRunDispatcher(
            sp.GetRequiredService<Testing.SuiteRunner>(), sp.GetRequiredService<ISuiteStore>(), sp.GetRequiredService<ILogger<Testing.SuiteRunDispatcher>>())
        {
            AbandonAtStart = abandonAtStart,
        });
        services.AddHostedService(sp => sp.GetRequiredService<Testing.SuiteRunDispatcher>());
    }

    /// <summary>The SQLite file under the data directory, opened (created and migrated) when first resolved.</summary>
    private static void AddLocalDatabase(IServiceCollection services, WardenSettings settings) =>
        services.AddSingleton(_ => new SqliteDatabase(settings.DataDirectory, settings.Synchronous));

    /// <summary>
    /// Where Warden's data lives. Embedded (the default): everything in the SQLite file under the data directory.
    /// Shared (<see cref="WardenSettings.Store"/> names PostgreSQL): tenants and API keys, graphs and their versions,
    /// tools and agents, the audit log and the per-tenant API rate limit live in the PostgreSQL database every
    /// instance opens. The embedded engine's own durable log stays in each instance's local SQLite file: run state,
    /// timeline, outbox, timers, approvals, guardrail state (breakers, LLM rate windows, budgets), LLM usage and
    /// oversight tasks, read back through IRunStore, IUsageStore and ITaskStore. That is the part the Durable task hub
    /// plays on Azure. The engine's audit rows reach the shared chain through a local outbox (<see cref="AuditOutbox"/>).
    /// Shared on Azure Table Storage (<see cref="WardenSettings.Tables"/>, WARDEN_STORE=tables): the same split, the
    /// shared part in the account's tables.
    /// </summary>
    private static void AddDataStores(IServiceCollection services, WardenSettings settings, bool forwardEngineAudit)
    {
        if (!settings.IsSharedStore)
        {
            services.AddSingleton<ITenantStore, SqliteTenantStore>();
            services.AddSingleton<IGraphStore, SqliteGraphStore>();
            services.AddSingleton<IReleaseStore, SqliteReleaseStore>();
            services.AddSingleton<ICatalogStore, SqliteCatalogStore>();
            services.AddSingleton<IAuditLog, SqliteAuditLog>();
            services.AddSingleton<IApiRateLimiter, InProcessApiRateLimiter>();
            return;
        }

        if (settings.Tables is { } tables)
        {
            services.AddSingleton(tables);
            services.AddSingleton<ITenantStore, TablesTenantStore>();
            services.AddSingleton<IGraphStore, TablesGraphStore>();
            services.AddSingleton<IReleaseStore, TablesReleaseStore>();
            services.AddSingleton<ICatalogStore, TablesCatalogStore>();
            services.AddSingleton<IAuditLog, TablesAuditLog>();
            services.AddSingleton<IApiRateLimiter, TablesApiRateLimiter>();
            if (forwardEngineAudit)
            {
                services.AddHostedService<AuditForwarder>();
            }

            return;
        }

        // Opened here, while the host is still being composed: a store that cannot be used stops start-up with one
        // line naming the setting, before the host starts and logs. A factory registration, so the container disposes it.
        var database = PostgresDatabase.Open(settings.Store!, settings.StoreSetting);
        services.AddSingleton(_ => database);
        services.AddSingleton<ITenantStore, PostgresTenantStore>();
        services.AddSingleton<IGraphStore, PostgresGraphStore>();
        services.AddSingleton<IReleaseStore, PostgresReleaseStore>();
        services.AddSingleton<ICatalogStore, PostgresCatalogStore>();
        services.AddSingleton<IAuditLog, PostgresAuditLog>();
        services.AddSingleton<IApiRateLimiter, PostgresApiRateLimiter>();

        // Before the engine's hosted service, so it stops after the engine and forwards the engine's last audit rows.
        if (forwardEngineAudit)
        {
            services.AddHostedService<AuditForwarder>();
        }
    }
}

/// <summary>Bootstraps the store and starts the engine with the host; stops it cleanly on shutdown.</summary>
public sealed partial class EngineHostedService(EmbeddedEngine engine, ITenantStore tenants, WardenSettings settings, ILogger<EngineHostedService> logger) : IHostedService
{
    /// <summary>Where the one-time admin key is shown. Console, never the log: secrets do not reach logs.</summary>
    public static Action<string> ShowBootstrapKey { get; set; } = Console.WriteLine;

    private DataDirectoryLock? _lock;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _lock = DataDirectoryLock.Acquire(settings.DataDirectory);
        var key = await tenants.BootstrapAsync(settings.BootstrapApiKey, cancellationToken);
        if (key is not null)
        {
            ShowBootstrapKey(settings.BootstrapApiKey is null
                ? $"Created tenant 'demo' with admin API key {key} (shown once; store it now)"
                : "Created tenant 'demo' with the admin API key from WARDEN_BOOTSTRAP_API_KEY");
        }

        engine.Start();
        LogStarted(logger, settings.DataDirectory, settings.Synchronous);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await engine.DisposeAsync();
        _lock?.Dispose();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Warden engine started on {DataDirectory} (synchronous={Synchronous})")]
    private static partial void LogStarted(ILogger logger, string dataDirectory, SqliteSynchronous synchronous);
}
