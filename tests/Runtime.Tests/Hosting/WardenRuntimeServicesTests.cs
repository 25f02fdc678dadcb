using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shouldly;
using Warden.Core.Guardrails.Budget;
using Warden.Core.Runs;
using Warden.Runtime.Api;
using Warden.Runtime.Engine;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Hosting;
using Warden.Runtime.Scheduled;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Tables;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Hosting;

/// <summary>The registration the Functions host uses: everything but the engine, configured from IConfiguration.</summary>
[Collection(AzuriteServer.Collection)]
public sealed class WardenRuntimeServicesTests(AzuriteServer azurite) : IDisposable
{
    private readonly string _dir = TestWarden.NewDataDirectory();

    public void Dispose() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

    /// <summary>The Functions host's services with its storage account (AzureWebJobsStorage) on the test's Azurite.</summary>
    internal static ServiceProvider Build(AzuriteServer azurite, string dataDirectory, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))
                .Append(new("WARDEN_DATA_DIR", dataDirectory))
                .Append(new("AzureWebJobsStorage", azurite.ConnectionString))
                .Concat(settings.Any(s => s.Key == "WARDEN_TABLES_PREFIX") ? [] : [new("WARDEN_TABLES_PREFIX", TablesPrefix(dataDirectory))]))
            .Build();
        var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Warning)).AddWardenRuntime(configuration);
        services.AddSingleton<IRunEngine, NoEngine>();
        services.AddSingleton<IGuardrailAdmin, NoEngine>();
        return services.BuildServiceProvider();
    }

    /// <summary>One instance's tables: the same for every provider on one data directory (instances of one app in a test).</summary>
    internal static string TablesPrefix(string dataDirectory) =>
        "t" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dataDirectory)))[..12];

    private ServiceProvider Build(params (string Key, string Value)[] settings) => Build(azurite, _dir, settings);

    [Fact]
    public async Task AddWardenRuntime_FunctionsHost_KeepsTheRunSideInTablesAndOpensNoLocalDatabase()
    {
        // Arrange
        using var provider = Build();
        var runId = "run_" + Guid.NewGuid().ToString("N")[..20];

        // Act: write and read a run through the services the Durable activities and the API use.
        var projection = provider.GetRequiredService<IRunProjection>();
        await projection.CreateRunAsync(new RunStart(runId, "t-services", "g", 1, "{}", 1), DateTimeOffset.UtcNow);
        var run = await provider.GetRequiredService<IRunStore>().GetAsync("t-services", runId);
        var usage = await provider.GetRequiredService<IUsageStore>().SummaryAsync("t-services", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);

        // Assert
        projection.ShouldBeOfType<TablesRunProjection>();
        provider.GetRequiredService<IRunStore>().ShouldBeOfType<TablesRunStore>();
        provider.GetRequiredService<IUsageStore>().ShouldBeOfType<TablesUsageStore>();
        provider.GetRequiredService<ITaskStore>().ShouldBeOfType<UnavailableTaskEngine>();
        run.ShouldNotBeNull().Status.ShouldBe("running");
        usage.Calls.ShouldBe(0);
        Directory.Exists(_dir).ShouldBeFalse(); // no SQLite file, not even the data directory
    }

    [Fact]
    public void AddWardenRuntime_NoStorageAccount_FailsNamingTheSetting()
    {
        // Arrange
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("WARDEN_DATA_DIR", _dir)]).Build();

        // Act
        var ex = Should.Throw<ConfigurationException>(() => new ServiceCollection().AddWardenRuntime(configuration));

        // Assert
        ex.Message.ShouldContain("AzureWebJobsStorage");
    }

    [Fact]
    public async Task TaskReads_FunctionsHost_Answer501LikeTheWrites()
    {
        // Arrange
        using var provider = Build(("WARDEN_BOOTSTRAP_API_KEY", "wdn_task_key"));
        await provider.GetServices<IHostedService>().OfType<TenantBootstrapService>().Single().StartAsync(CancellationToken.None);
        var api = provider.GetRequiredService<WardenApi>();

        // Act
        var list = await ApiCall.SendAsync(provider, "wdn_task_key", api.ListTasksAsync);
        var one = await ApiCall.SendAsync(provider, "wdn_task_key", h => api.GetTaskAsync(h, "task_1"));
        var escalations = await ApiCall.SendAsync(provider, "wdn_task_key", api.ListEscalationsAsync);

        // Assert
        foreach (var (status, body) in new[] { list, one, escalations })
        {
            status.ShouldBe(StatusCodes.Status501NotImplemented);
            body.GetProperty("error_code").GetString().ShouldBe("NOT_IMPLEMENTED");
        }
    }

    [Fact]
    public void AddWardenRuntime_Configuration_ReadsSettingsUnderTheEnvironmentNames()
    {
        // Act
        using var provider = Build(("API_RATE_LIMIT_PER_MIN", "7"), ("WARDEN_WORKERS", "3"));

        // Assert
        var settings = provider.GetRequiredService<WardenSettings>();
        settings.DataDirectory.ShouldBe(_dir);
        settings.Workers.ShouldBe(3);
        provider.GetRequiredService<GuardrailOptions>().ApiRequestsPerMinute.ShouldBe(7);
    }

    [Fact]
    public void AddWardenRuntime_HostsOwnEngine_ResolvesTheApiProjectionAndChecksWithoutTheEmbeddedEngine()
    {
        // Act
        using var provider = Build();

        // Assert
        provider.GetRequiredService<WardenApi>().ShouldNotBeNull();
        provider.GetRequiredService<IRunProjection>().ShouldNotBeNull();
        provider.GetRequiredService<Warden.Runtime.Releases.ReleaseGuard>().ShouldNotBeNull();
        provider.GetRequiredService<DriftCheck>().ShouldNotBeNull();
        provider.GetService<EmbeddedEngine>().ShouldBeNull();
        provider.GetServices<IHostedService>().ShouldNotContain(s => s is EngineHostedService);
    }

    [Fact]
    public void AddWardenRuntime_BadSetting_FailsNamingTheVariable()
    {
        // Act
        var ex = Should.Throw<ConfigurationException>(() => Build(("WARDEN_WORKERS", "many")));

        // Assert
        ex.Message.ShouldContain("WARDEN_WORKERS");
    }

    [Theory]
    [InlineData("wdn_configured_key", true)]
    [InlineData(null, false)]
    public async Task TenantBootstrap_EmptyStore_SeedsTheDemoTenantOnlyWithAConfiguredKey(string? key, bool expectTenant)
    {
        // Arrange
        using var provider = key is null ? Build() : Build(("WARDEN_BOOTSTRAP_API_KEY", key));
        var bootstrap = provider.GetServices<IHostedService>().OfType<TenantBootstrapService>().Single();

        // Act
        await bootstrap.StartAsync(CancellationToken.None);

        // Assert
        (await provider.GetRequiredService<ITenantDirectory>().ListTenantIdsAsync()).Count.ShouldBe(expectTenant ? 1 : 0);
        if (key is not null)
        {
            (await provider.GetRequiredService<ITenantStore>().AuthenticateAsync(key)).ShouldNotBeNull().Role.ShouldBe("admin");
        }
    }

    internal sealed class NoEngine : IRunEngine, IGuardrailAdmin
    {
        public Task<StartRunResult> StartRunAsync(StartRunRequest request, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<SignalResult> SignalAsync(string tenantId, string runId, SignalReceived signal, CancellationToken ct = default) => throw new NotSupportedException();

        public Task WaitForChangeAsync(string runId, TimeSpan timeout, CancellationToken ct = default) => throw new NotSupportedException();

        public string? CrashRefusal => "no engine";

        public Task ResetBreakerAsync(string providerKey, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<BudgetState> SetBudgetAsync(string tenantId, string? graphId, BudgetLimit limit, CancellationToken ct = default) => throw new NotSupportedException();
    }
}
