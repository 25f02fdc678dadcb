using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Entities;
using DurableTask.Core.Entities.OperationFormat;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Warden.Core.Runs;
using Warden.Functions.Guardrails;
using Warden.Functions.Runs;
using Warden.Runtime.Storage;
using CoreEntityId = DurableTask.Core.Entities.EntityId;
using CoreTaskEntity = DurableTask.Core.Entities.TaskEntity;

namespace Warden.Functions.Tests.Dispatcher;

/// <summary>
/// A real Durable dispatcher for Warden's orchestrator, activities and entities: DurableTask.Core's
/// <see cref="TaskHubWorker"/> over the Azure Storage backend (the Functions host's default storage provider) on
/// Azurite, with the SDK's shims wrapping <see cref="RunGraph"/>, the activities and the guardrail entities exactly
/// as the Durable extension's worker does. Real scheduling, history replay, durable timers, external events,
/// ContinueAsNew and entity dispatch; activities get their dependencies from the host's own registration.
/// </summary>
internal sealed class DurableTaskHub : IAsyncDisposable
{
    private readonly AzureStorageOrchestrationService _service;
    private readonly TaskHubWorker _worker;

    private readonly bool _ownsHub;

    private DurableTaskHub(AzureStorageOrchestrationService service, TaskHubWorker worker, CoreDurableTaskClient client, string name, bool ownsHub)
    {
        _service = service;
        _worker = worker;
        Client = client;
        Name = name;
        _ownsHub = ownsHub;
    }

    public CoreDurableTaskClient Client { get; }

    public string Name { get; }

    /// <summary>
    /// Starts a worker on a task hub of the account (a fresh one unless <paramref name="join"/> names one another
    /// instance started: two instances of one app); <paramref name="services"/> resolves the activities.
    /// </summary>
    public static async Task<DurableTaskHub> StartAsync(string storageConnectionString, IServiceProvider services, string? join = null, ILoggerFactory? logging = null)
    {
        logging ??= NullLoggerFactory.Instance;
        var name = join ?? "wt" + Guid.NewGuid().ToString("N")[..12];
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(storageConnectionString),
            TaskHubName = name,
            PartitionCount = 1,
            UseSeparateQueueForEntityWorkItems = true,
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(250),
            LoggerFactory = logging,
        };
        var service = new AzureStorageOrchestrationService(settings);
        await service.CreateIfNotExistsAsync();

        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions { EnableEntitySupport = true }, logging);
        var worker = new TaskHubWorker(service, logging);
        worker.AddTaskOrchestrations(new Creator<TaskOrchestration>(nameof(RunGraph), () =>
            shims.CreateOrchestration(nameof(RunGraph), FuncTaskOrchestrator.Create<RunGraphInput, RunResult>((context, _) => RunGraph.RunAsync(context)), parent: null)));
        worker.AddTaskActivities(
            new Creator<TaskActivity>(nameof(ExecuteNodeActivity), () => shims.CreateActivity(
                nameof(ExecuteNodeActivity),
                FuncTaskActivity.Create<NodeInvocation, NodeResult>((_, invocation) => services.GetRequiredService<ExecuteNodeActivity>().ExecuteAsync(invocation, CancellationToken.None)))),
            new Creator<TaskActivity>(nameof(AppendTimelineActivity), () => shims.CreateActivity(
                nameof(AppendTimelineActivity),
                FuncTaskActivity.Create<RunProjectionUpdate, object?>(async (_, update) =>
                {
                    await services.GetRequiredService<AppendTimelineActivity>().ExecuteAsync(update, CancellationToken.None);
                    return null;
                }))));
        worker.AddTaskEntities(
            EntityCreator(shims, nameof(CircuitBreakerEntity), () => new CircuitBreakerEntity()),
            EntityCreator(shims, nameof(RateLimitEntity), () => new RateLimitEntity()),
            EntityCreator(shims, nameof(BudgetEntity), () => new BudgetEntity()));
        await worker.StartAsync();

        var queries = ((IEntityOrchestrationService)service).EntityBackendQueries
            ?? throw new InvalidOperationException("the Azure Storage backend answered no entity queries: is UseSeparateQueueForEntityWorkItems on?");
        return new DurableTaskHub(service, worker, new CoreDurableTaskClient(service, queries), name, ownsHub: join is null);
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.StopAsync(isForced: true);
        _worker.Dispose();
        if (_ownsHub)
        {
            await _service.DeleteAsync();
        }
    }

    /// <summary>Entity names are case-insensitive in Durable and stored lower-case, which is how work items name them.</summary>
    private static Creator<CoreTaskEntity> EntityCreator(DurableTaskShimFactory shims, string name, Func<ITaskEntity> create) =>
        new(name.ToLowerInvariant(), () => new PerInstanceEntity(shims, name, create));

    /// <summary>Makes a fresh object per work item, as the Durable extension does.</summary>
    private sealed class Creator<T> : ObjectCreator<T>
    {
        private readonly Func<T> _create;

        public Creator(string name, Func<T> create)
        {
            Name = name;
            Version = string.Empty;
            _create = create;
        }

        public override T Create() => _create();
    }

    /// <summary>
    /// The SDK's entity shim needs the id of the entity it runs, which DurableTask.Core only names in the batch it
    /// dispatches: so the shim is made per batch, for the instance the batch is for.
    /// </summary>
    private sealed class PerInstanceEntity(DurableTaskShimFactory shims, string name, Func<ITaskEntity> create) : CoreTaskEntity
    {
        public override Task<EntityBatchResult> ExecuteOperationBatchAsync(EntityBatchRequest operations)
        {
            ArgumentNullException.ThrowIfNull(operations);
            var id = CoreEntityId.FromString(operations.InstanceId!);
            return shims.CreateEntity(name, create(), id).ExecuteOperationBatchAsync(operations);
        }
    }
}
