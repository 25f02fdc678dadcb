using DurableTask.Core;
using DurableTask.Core.Entities;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;
using Microsoft.DurableTask.Entities;
using CoreEntityId = DurableTask.Core.Entities.EntityId;

namespace Warden.Functions.Tests.Dispatcher;

/// <summary>
/// The SDK's <see cref="DurableTaskClient"/> over a DurableTask.Core backend, for the tests that run Warden's
/// orchestrator, activities and entities on a real <see cref="TaskHubWorker"/>. In Azure the Functions host hands
/// <c>DurableRunEngine</c> a gRPC client of the Durable extension; here the same calls become task hub messages
/// (payloads serialized by the SDK's <see cref="DataConverter"/>, as the worker's shims read them). It covers what
/// Warden calls: start, raise, wait, suspend, resume, terminate, status and history; entity signal and state.
/// </summary>
internal sealed class CoreDurableTaskClient : DurableTaskClient
{
    private readonly IOrchestrationServiceClient _service;
    private readonly DataConverter _converter;

    public CoreDurableTaskClient(IOrchestrationServiceClient service, EntityBackendQueries entities, DataConverter? converter = null)
        : base("warden-tests")
    {
        _service = service;
        _converter = converter ?? Microsoft.DurableTask.Converters.JsonDataConverter.Default;
        Entities = new CoreEntityClient(service, entities, _converter);
    }

    public override DurableEntityClient Entities { get; }

    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        var instance = new OrchestrationInstance
        {
            InstanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N"),
            ExecutionId = Guid.NewGuid().ToString("N"),
        };
        var started = new ExecutionStartedEvent(-1, _converter.Serialize(input))
        {
            Name = orchestratorName.Name,
            Version = string.Empty,
            OrchestrationInstance = instance,
            ScheduledStartTime = options?.StartAt?.UtcDateTime,
        };
        await _service.CreateTaskOrchestrationAsync(new TaskMessage { OrchestrationInstance = instance, Event = started });
        return instance.InstanceId;
    }

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new EventRaisedEvent(-1, _converter.Serialize(eventPayload)) { Name = eventName });

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new ExecutionSuspendedEvent(-1, reason));

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new ExecutionResumedEvent(-1, reason));

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) =>
        _service.ForceTerminateTaskOrchestrationAsync(instanceId, _converter.Serialize(options?.Output));

    public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        var states = await _service.GetOrchestrationStateAsync(instanceId, allExecutions: false);
        return states?.FirstOrDefault(s => s is not null) is { } state ? Metadata(state, getInputsAndOutputs) : null;
    }

    public override async Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            if (await GetInstanceAsync(instanceId, getInputsAndOutputs, cancellation) is { } metadata
                && metadata.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated)
            {
                return metadata;
            }

            await Task.Delay(50, cancellation);
        }
    }

    public override async Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            if (await GetInstanceAsync(instanceId, getInputsAndOutputs, cancellation) is { RuntimeStatus: not OrchestrationRuntimeStatus.Pending } metadata)
            {
                return metadata;
            }

            await Task.Delay(50, cancellation);
        }
    }

    /// <summary>The recorded history of the instance's current execution, as the task hub stores it (JSON).</summary>
    public Task<string> GetHistoryJsonAsync(string instanceId, string? executionId = null) =>
        _service.GetOrchestrationHistoryAsync(instanceId, executionId);

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        throw new NotSupportedException("Warden does not list orchestration instances: runs are listed from the store");

    public override Task<Microsoft.DurableTask.Client.PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        throw new NotSupportedException("Warden does not purge orchestration instances");

    public override Task<Microsoft.DurableTask.Client.PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        throw new NotSupportedException("Warden does not purge orchestration instances");

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task SendAsync(string instanceId, HistoryEvent evt) =>
        _service.SendTaskOrchestrationMessageAsync(new TaskMessage { OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId }, Event = evt });

    private static OrchestrationMetadata Metadata(OrchestrationState state, bool withPayloads) =>
        new(state.Name, state.OrchestrationInstance.InstanceId)
        {
            RuntimeStatus = (OrchestrationRuntimeStatus)(int)state.OrchestrationStatus,
            CreatedAt = state.CreatedTime,
            LastUpdatedAt = state.LastUpdatedTime,
            SerializedInput = withPayloads ? state.Input : null,
            SerializedOutput = withPayloads ? state.Output : null,
            SerializedCustomStatus = state.Status,
        };

    private sealed class CoreEntityClient(IOrchestrationServiceClient service, EntityBackendQueries queries, DataConverter converter) : DurableEntityClient("warden-tests")
    {
        public override Task SignalEntityAsync(EntityInstanceId id, string operationName, object? input = null, SignalEntityOptions? options = null, CancellationToken cancellation = default)
        {
            var target = new OrchestrationInstance { InstanceId = new CoreEntityId(id.Name, id.Key).ToString() };
            var signal = ClientEntityHelpers.EmitOperationSignal(target, Guid.NewGuid(), operationName, converter.Serialize(input), scheduledTimeUtc: null);
            return service.SendTaskOrchestrationMessageAsync(signal.AsTaskMessage());
        }

        public override async Task<EntityMetadata?> GetEntityAsync(EntityInstanceId id, bool includeState = true, CancellationToken cancellation = default) =>
            await queries.GetEntityAsync(new CoreEntityId(id.Name, id.Key), includeState, includeStateless: false, cancellation) is { } found
                ? new EntityMetadata(id, includeState ? new SerializedData(found.SerializedState ?? "null", converter) : null) { LastModifiedTime = found.LastModifiedTime }
                : null;

        public override async Task<EntityMetadata<T>?> GetEntityAsync<T>(EntityInstanceId id, bool includeState = true, CancellationToken cancellation = default)
            where T : default =>
            await queries.GetEntityAsync(new CoreEntityId(id.Name, id.Key), includeState, includeStateless: false, cancellation) is { } found
                ? new EntityMetadata<T>(id, found.SerializedState is { } state ? converter.Deserialize<T>(state)! : default!) { LastModifiedTime = found.LastModifiedTime }
                : null;

        public override AsyncPageable<EntityMetadata> GetAllEntitiesAsync(Microsoft.DurableTask.Client.Entities.EntityQuery? filter = null) =>
            throw new NotSupportedException("Warden reads entities by id");

        public override AsyncPageable<EntityMetadata<T>> GetAllEntitiesAsync<T>(Microsoft.DurableTask.Client.Entities.EntityQuery? filter = null) =>
            Pageable.Create<EntityMetadata<T>>(async (continuation, pageSize, cancellation) =>
            {
                var prefix = filter?.InstanceIdStartsWith ?? string.Empty;
                var page = await queries.QueryEntitiesAsync(
                    new EntityBackendQueries.EntityQuery
                    {
                        InstanceIdStartsWith = prefix.StartsWith('@') ? prefix : "@" + prefix,
                        IncludeState = filter?.IncludeState ?? true,
                        PageSize = pageSize ?? filter?.PageSize,
                        ContinuationToken = continuation ?? filter?.ContinuationToken,
                    },
                    cancellation);
                var items = page.Results
                    .Select(e => new EntityMetadata<T>(new EntityInstanceId(e.EntityId.Name, e.EntityId.Key), e.SerializedState is { } state ? converter.Deserialize<T>(state)! : default!) { LastModifiedTime = e.LastModifiedTime })
                    .ToList();
                return new Page<EntityMetadata<T>>(items, page.ContinuationToken);
            });

        public override Task<CleanEntityStorageResult> CleanEntityStorageAsync(CleanEntityStorageRequest? request = null, bool continueUntilComplete = true, CancellationToken cancellation = default) =>
            throw new NotSupportedException("Warden does not clean entity storage");
    }
}
