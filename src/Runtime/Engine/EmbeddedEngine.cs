using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Warden.Core.Runs;
using Warden.Core.Costs;
using Warden.Core.Guardrails.Budget;
using Warden.Runtime.Execution;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Providers;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Engine;

/// <summary>
/// The durable engine for one machine. A single writer applies decisions (one SQLite transaction per
/// batch of decisions across runs: group commit), a bounded worker pool executes nodes from the outbox,
/// timers are rows polled by due time, and signals are applied in arrival order. On start it re-dispatches
/// the outbox, so a crash loses no completed step. Runs with nothing in flight hold no memory here.
/// </summary>
public sealed partial class EmbeddedEngine : IRunEngine, IGuardrailAdmin, IUsageRecorder, IAsyncDisposable
{
    private readonly SqliteDatabase _db;
    private readonly IGraphStore _graphs;
    private readonly ICatalogStore _catalog;
    private readonly NodeExecutor _executor;
    private readonly TimeProvider _clock;
    private readonly EngineOptions _options;
    private readonly ILogger _logger;
    private readonly DeciderCache _deciders = new();
    private readonly GuardrailService _guardrails;
    private readonly Channel<WriterItem> _inbox = Channel.CreateUnbounded<WriterItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Job> _jobs = Channel.CreateUnbounded<Job>();
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LiveRun> _live = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private long _nextTimerCheckMs;
    private long _hops;
    private long _events;

    public EmbeddedEngine(
        SqliteDatabase db,
        IGraphStore graphs,
        ICatalogStore catalog,
        NodeExecutor executor,
        TimeProvider clock,
        EngineOptions options,
        GuardrailOptions guardrails,
        PriceTable prices,
        ProviderRegistry providers,
        ILogger<EmbeddedEngine> logger)
    {
        _guardrails = new GuardrailService(guardrails, prices, providers.Expand, ToolActionClass);
        _db = db;
        _graphs = graphs;
        _catalog = catalog;
        _executor = executor;
        _clock = clock;
        _options = options;
        _logger = logger;
    }

    public RunNotifier Notifier { get; } = new();

    /// <summary>Nodes dispatched, executed and committed since start.</summary>
    public long Hops => Interlocked.Read(ref _hops);

    /// <summary>Timeline events appended since start.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>Runs the writer currently holds in memory (only those with a node in flight).</summary>
    public int LiveRuns { get; private set; }

    public void Start()
    {
        if (_loops.Count > 0)
        {
            return;
        }

        _loops.Add(Task.Factory.StartNew(WriterLoop, TaskCreationOptions.LongRunning));
        for (var i = 0; i < Math.Max(1, _options.Workers); i++)
        {
            _loops.Add(Task.Run(WorkerLoopAsync));
        }
    }

    public async Task<StartRunResult> StartRunAsync(StartRunRequest request, CancellationToken ct = default)
    {
        var version = await _graphs.GetVersionAsync(request.TenantId, request.GraphId, request.Version, ct)
            ?? throw new NotFoundException(request.Version is null
                ? $"graph '{request.GraphId}' not found"
                : $"graph '{request.GraphId}' has no version {request.Version}");
        var decider = _deciders.GetOrAdd(request.TenantId, request.GraphId, version.Version, () => version.Source);
        var item = new StartItem(request, version.Version, decider, NewRunId(), request.Seed ?? RandomSeed());
        _inbox.Writer.TryWrite(item);
        return await item.Completion.Task.WaitAsync(ct);
    }

    public async Task<SignalResult> SignalAsync(string tenantId, string runId, SignalReceived signal, CancellationToken ct = default)
    {
        var item = new SignalItem(tenantId, runId, signal);
        _inbox.Writer.TryWrite(item);
        return await item.Completion.Task.WaitAsync(ct);
    }

    public Task WaitForChangeAsync(string runId, TimeSpan timeout, CancellationToken ct = default) =>
        Notifier.WaitAsync(runId, timeout, ct);

    /// <summary>Closes a provider's breaker (admin), serialized with the decisions that use it.</summary>
    public Task ResetBreakerAsync(string providerKey, CancellationToken ct = default) =>
        AdminAsync((sql, now) =>
        {
            _guardrails.ResetBreaker(sql, providerKey, now);
            return providerKey;
        }, ct);

    /// <summary>Sets a tenant's monthly budget (graphId null) or a graph's budget; returns the budget's state.</summary>
    public async Task<BudgetState> SetBudgetAsync(string tenantId, string? graphId, BudgetLimit limit, CancellationToken ct = default) =>
        (BudgetState)await AdminAsync((sql, now) => _guardrails.SetLimit(sql, tenantId, graphId, limit, now), ct);

    /// <summary>
    /// Usage rows for calls outside a step (the judge's), written by the writer in its next batch: a second writer on
    /// the file would wait out SQLite's busy retries behind every batch.
    /// </summary>
    public Task RecordUsageAsync(NodeInvocation invocation, IReadOnlyList<ProviderCall> calls, CancellationToken ct = default) =>
        calls.Count == 0 ? Task.CompletedTask : AdminAsync((sql, now) =>
        {
            sql.RecordUsage(invocation, calls, now.ToString("O"));
            return calls.Count;
        }, ct);

    private async Task<object> AdminAsync(Func<EngineSql, DateTimeOffset, object> action, CancellationToken ct)
    {
        var item = new AdminItem(action);
        _inbox.Writer.TryWrite(item);
        return await item.Completion.Task.WaitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        _jobs.Writer.TryComplete();
        _inbox.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loops);
        }
        catch (OperationCanceledException)
        {
            // Expected on shutdown.
        }

        _stopping.Dispose();
    }

    private static string NewRunId() => "run_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    private static long RandomSeed() => RandomNumberGenerator.GetInt32(int.MaxValue);

    private async Task WorkerLoopAsync()
    {
        var ct = _stopping.Token;
        try
        {
            await foreach (var job in _jobs.Reader.ReadAllAsync(ct))
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var key = job.Invocation.Key;
                _inFlight[key] = cts;
                NodeExecution result;
                try
                {
                    result = await _executor.ExecuteAsync(job.Invocation, cts.Token);
                }
                catch (OperationCanceledException)
                {
                    // Cancelled by the decider (stop, timeout) or by shutdown: the outbox decides what happens next.
                    continue;
                }
                finally
                {
                    _inFlight.TryRemove(key, out _);
                }

                if (ct.IsCancellationRequested)
                {
                    break;
                }

                _inbox.Writer.TryWrite(new ResultItem(job.Invocation, result, job.DispatchedAt));
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    private void Dispatch(NodeInvocation invocation) =>
        _jobs.Writer.TryWrite(new Job(invocation, Stopwatch.GetTimestamp()));

    private void Cancel(CancelNode cancel, string runId)
    {
        if (_inFlight.TryGetValue($"{runId}/{cancel.NodeId}/{cancel.Visit}/{cancel.Attempt}", out var cts))
        {
            cts.Cancel();
        }
    }

    private abstract record WriterItem;

    private sealed record StartItem(StartRunRequest Request, long Version, RunDecider Decider, string RunId, long Seed) : WriterItem
    {
        public TaskCompletionSource<StartRunResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record SignalItem(string TenantId, string RunId, SignalReceived Signal) : WriterItem
    {
        public TaskCompletionSource<SignalResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record ResultItem(NodeInvocation Invocation, NodeExecution Execution, long DispatchedAt) : WriterItem;

    private sealed record TimerItem(string RunId, string Tag) : WriterItem;

    private sealed record AdminItem(Func<EngineSql, DateTimeOffset, object> Action) : WriterItem
    {
        public TaskCompletionSource<object> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record Job(NodeInvocation Invocation, long DispatchedAt);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Engine resumed {Count} node executions from the outbox")]
    private static partial void LogResumed(ILogger logger, int count);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Engine could not apply {Item} to run {RunId}")]
    private static partial void LogItemFailed(ILogger logger, Exception ex, string item, string runId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Engine batch of {Count} items failed to commit")]
    private static partial void LogBatchFailed(ILogger logger, Exception ex, int count);
}
