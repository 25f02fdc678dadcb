using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;
using Microsoft.DurableTask.Entities;
using NSubstitute;
using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Guardrails.Budget;
using Warden.Core.Runs;
using Warden.Functions.Guardrails;
using Warden.Functions.Runs;
using Warden.Functions.Tests.Support;
using Warden.Runtime.Engine;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Providers;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;
using Xunit;

namespace Warden.Functions.Tests.Runs;

/// <summary>The Durable engine over real SQLite stores, with a substituted Durable client.</summary>
public sealed class DurableRunEngineTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "warden-fn-test-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly DurableTaskClient _client = Substitute.For<DurableTaskClient>("test");
    private readonly DurableEntityClient _entities = Substitute.For<DurableEntityClient>("test");
    private readonly SqliteDatabase _db;
    private readonly SqliteGraphStore _graphs;
    private readonly SqliteRunStore _runs;
    private readonly DurableRunEngine _engine;

    public DurableRunEngineTests()
    {
        _db = new SqliteDatabase(_directory, SqliteSynchronous.Normal);
        _graphs = new SqliteGraphStore(_db, TimeProvider.System);
        _runs = new SqliteRunStore(_db);
        _engine = new DurableRunEngine(_graphs, _runs, new SqliteRunProjection(_db), new GuardrailOptions(), PriceTable.Default, new ProviderRegistry([new MockLlmClient(TimeProvider.System)]), TimeProvider.System);
        _client.Entities.Returns(_entities);
    }

    /// <summary>The engine, with the substituted client bound to the calling test as a trigger would bind it.</summary>
    private DurableRunEngine Engine
    {
        get
        {
            DurableClientScope.Use(_client);
            return _engine;
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task StartRunAsync_KnownGraph_SchedulesRunGraphUnderTheRunIdAndWritesTheRunRow()
    {
        // Arrange
        await _graphs.SaveVersionAsync(TestRuns.Tenant, "seq", null, TestRuns.Sequential, "yaml");

        // Act
        var started = await Engine.StartRunAsync(new StartRunRequest(TestRuns.Tenant, "seq", null, """{"task":"x"}""", Seed: 7));

        // Assert
        started.RunId.ShouldStartWith("run_");
        started.GraphVersion.ShouldBe(1);
        await _client.Received(1).ScheduleNewOrchestrationInstanceAsync(
            Arg.Is<TaskName>(n => n.Name == nameof(RunGraph)),
            Arg.Is<object?>(i => i is RunGraphInput && ((RunGraphInput)i).Start.RunId == started.RunId && ((RunGraphInput)i).Start.Seed == 7),
            Arg.Is<StartOrchestrationOptions?>(o => o!.InstanceId == started.RunId),
            Arg.Any<CancellationToken>());
        (await _runs.GetAsync(TestRuns.Tenant, started.RunId)).ShouldNotBeNull().Status.ShouldBe("running");
    }

    [Fact]
    public async Task StartRunAsync_UnknownGraph_ThrowsNotFoundWithoutScheduling()
    {
        // Act
        await Should.ThrowAsync<NotFoundException>(() => Engine.StartRunAsync(new StartRunRequest(TestRuns.Tenant, "nope", null, "{}")));

        // Assert
        await _client.DidNotReceiveWithAnyArgs().ScheduleNewOrchestrationInstanceAsync(default, default, default, default);
    }

    [Fact]
    public async Task StartRunAsync_TenantBudgetSpent_RefusesTheRun()
    {
        // Arrange
        await _graphs.SaveVersionAsync(TestRuns.Tenant, "seq", null, TestRuns.Sequential, "yaml");
        var spent = BudgetState.For("budget:tenant:demo", new BudgetLimit(1m, null)) with { SpentUsd = 1m };
        _entities.GetEntityAsync<BudgetState>(Arg.Any<EntityInstanceId>(), true, Arg.Any<CancellationToken>())
            .Returns(call => new EntityMetadata<BudgetState>(call.ArgAt<EntityInstanceId>(0), spent));

        // Act
        var ex = await Should.ThrowAsync<BudgetExceededException>(() => Engine.StartRunAsync(new StartRunRequest(TestRuns.Tenant, "seq", null, "{}")));

        // Assert
        ex.Message.ShouldContain("monthly budget is spent");
        await _client.DidNotReceiveWithAnyArgs().ScheduleNewOrchestrationInstanceAsync(default, default, default, default);
    }

    [Fact]
    public async Task SignalAsync_ResumeOfARunningRun_IsRejectedLikeTheEmbeddedEngineWithoutRaisingAnEvent()
    {
        // Arrange
        await _graphs.SaveVersionAsync(TestRuns.Tenant, "seq", null, TestRuns.Sequential, "yaml");
        var started = await Engine.StartRunAsync(new StartRunRequest(TestRuns.Tenant, "seq", null, "{}"));

        // Act
        var result = await Engine.SignalAsync(TestRuns.Tenant, started.RunId, new SignalReceived(SignalKind.Resume, "alice"));

        // Assert
        result.Status.ShouldBe(SignalStatus.Rejected);
        result.Rejection!.Code.ShouldBe("NOT_PAUSED");
        await _client.DidNotReceiveWithAnyArgs().RaiseEventAsync(default!, default!, default, default);
    }

    [Fact]
    public async Task SignalAsync_PauseOfARunningRun_RaisesTheSignalEventOnTheRunsInstance()
    {
        // Arrange
        await _graphs.SaveVersionAsync(TestRuns.Tenant, "seq", null, TestRuns.Sequential, "yaml");
        var started = await Engine.StartRunAsync(new StartRunRequest(TestRuns.Tenant, "seq", null, "{}"));
        var pause = new SignalReceived(SignalKind.Pause, "alice");

        // Act
        var result = await Engine.SignalAsync(TestRuns.Tenant, started.RunId, pause);

        // Assert
        result.ShouldBe(new SignalResult(SignalStatus.Applied, RunStatus.Paused));
        await _client.Received(1).RaiseEventAsync(started.RunId, RunGraph.SignalEvent, pause, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task SignalAsync_RunOfAnotherTenant_IsNotFound()
    {
        // Arrange
        await _graphs.SaveVersionAsync(TestRuns.Tenant, "seq", null, TestRuns.Sequential, "yaml");
        var started = await Engine.StartRunAsync(new StartRunRequest(TestRuns.Tenant, "seq", null, "{}"));

        // Act
        var result = await Engine.SignalAsync("other", started.RunId, new SignalReceived(SignalKind.Stop, "mallory"));

        // Assert
        result.Status.ShouldBe(SignalStatus.NotFound);
    }
}
