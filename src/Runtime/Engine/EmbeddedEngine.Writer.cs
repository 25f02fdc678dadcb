using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Warden.Core.Runs;
using Warden.Core.Serialization;
using Warden.Runtime.Providers;
using Warden.Runtime.Replay;
using Warden.Runtime.Telemetry;

namespace Warden.Runtime.Engine;

/// <summary>The single writer: drains results, signals, starts and due timers into one transaction per batch.</summary>
public sealed partial class EmbeddedEngine
{
    private const int TimerBatch = 256;

    private void WriterLoop()
    {
        using var connection = _db.Open();
        using var sql = new EngineSql(connection) { ForwardAudit = _options.ForwardAudit };
        var pending = sql.PendingOutbox();
        foreach (var invocation in pending)
        {
            Dispatch(invocation);
        }

        if (pending.Count > 0)
        {
            LogResumed(_logger, pending.Count);
        }

        var batch = new List<WriterItem>(_options.MaxBatch);
        var pollMs = (long)_options.TimerPollInterval.TotalMilliseconds;
        while (!_stopping.IsCancellationRequested)
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatch && _inbox.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            var nowMs = _clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (nowMs >= Interlocked.Read(ref _nextTimerCheckMs))
            {
                var due = sql.DueTimers(nowMs, TimerBatch);
                batch.AddRange(due.Select(t => new TimerItem(t.RunId, t.Tag)));
                Interlocked.Exchange(ref _nextTimerCheckMs, due.Count == TimerBatch ? nowMs : nowMs + pollMs);
            }

            if (batch.Count == 0)
            {
                WaitForWork();
                continue;
            }

            ProcessBatch(connection, sql, batch);
        }
    }

    private void WaitForWork()
    {
        try
        {
            _inbox.Reader.WaitToReadAsync(_stopping.Token).AsTask().Wait(_options.TimerPollInterval);
        }
        catch (AggregateException ex) when (ex.InnerException is OperationCanceledException)
        {
            // Shutdown: the loop condition ends the writer.
        }
    }

    private void ProcessBatch(SqliteConnection connection, EngineSql sql, List<WriterItem> batch)
    {
        // Fast path: the whole batch in one transaction. Should any item throw, the batch is rolled back and
        // redone with a savepoint per item, so one bad item fails alone and the rest still commit.
        var outcome = TryCommit(connection, sql, batch, isolateItems: false) ?? TryCommit(connection, sql, batch, isolateItems: true);
        if (outcome is null)
        {
            return;
        }

        var (post, touched) = outcome.Value;

        // Before anything else the commit set in motion: the next step must not start in a process about to die.
        CrashIfDue();
        foreach (var action in post)
        {
            action();
        }

        foreach (var runId in touched)
        {
            Notifier.Notify(runId);
            if (_live.TryGetValue(runId, out var live) && !live.HasWorkInFlight)
            {
                _live.Remove(runId);
            }
        }

        LiveRuns = _live.Count;
    }

    /// <returns>The post-commit actions and touched runs; null when the batch was rolled back.</returns>
    private (List<Action> Post, HashSet<string> Touched)? TryCommit(SqliteConnection connection, EngineSql sql, List<WriterItem> batch, bool isolateItems)
    {
        var now = _clock.GetUtcNow();
        var nowText = now.ToString("O");
        var post = new List<Action>();
        var touched = new HashSet<string>(StringComparer.Ordinal);
        _crashDue = null;
        using var tx = connection.BeginTransaction();
        sql.Transaction = tx;
        try
        {
            foreach (var item in batch)
            {
                if (!isolateItems)
                {
                    Handle(sql, item, new RunContext(now), nowText, post, touched);
                    continue;
                }

                sql.Execute("SAVEPOINT item");
                try
                {
                    Handle(sql, item, new RunContext(now), nowText, post, touched);
                    sql.Execute("RELEASE item");
                }
                catch (Exception ex) when (ex is not SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_FULL or SQLitePCL.raw.SQLITE_IOERR })
                {
                    sql.Execute("ROLLBACK TO item");
                    sql.Execute("RELEASE item");
                    var runId = RunIdOf(item);
                    _live.Remove(runId);
                    if (_crashDue?.RunId == runId)
                    {
                        _crashDue = null;
                    }

                    LogItemFailed(_logger, ex, item.GetType().Name, runId);
                    post.Add(() => Fail(item, ex, redispatch: false));
                }
            }

            tx.Commit();
            return (post, touched);
        }
        catch (Exception ex)
        {
            tx.Rollback();
            _crashDue = null;

            // Runs and guardrails the batch touched may hold half-applied state in memory: reload them from the store.
            foreach (var item in batch)
            {
                _live.Remove(RunIdOf(item));
            }

            _guardrails.Forget();

            if (isolateItems)
            {
                LogBatchFailed(_logger, ex, batch.Count);
                foreach (var item in batch)
                {
                    Fail(item, ex, redispatch: true);
                }
            }

            return null;
        }
        finally
        {
            sql.Transaction = null;
        }
    }

    private void Handle(EngineSql sql, WriterItem item, RunContext ctx, string now, List<Action> post, HashSet<string> touched)
    {
        switch (item)
        {
            case StartItem s:
            {
                var request = s.Request;
                if (_guardrails.TenantBlocked(sql, request.TenantId, ctx.Now) is { } blocked)
                {
                    post.Add(() => s.Completion.TrySetException(new BudgetExceededException(blocked)));
                    break;
                }

                sql.InsertRun(request, s.RunId, s.Version, now);
                var live = new LiveRun(request.TenantId, s.Decider, new RunState { RunId = s.RunId }, 0, 0);
                _live[s.RunId] = live;
                var runStart = new RunStart(s.RunId, request.TenantId, request.GraphId, (int)s.Version, request.Input, s.Seed, request.Options, request.SnapshotId);
                var decision = s.Decider.Start(runStart, ctx);
                sql.AppendInput(s.RunId, request.TenantId, ctx.Now.ToString("O"), RunInputKinds.Start, WardenJson.Serialize(runStart));
                Persist(sql, live, Settle(sql, live, decision, ctx), ctx.Now, now, post);

                touched.Add(s.RunId);
                post.Add(() => WardenTelemetry.RunStarted(request.TenantId, request.GraphId));
                post.Add(() => s.Completion.TrySetResult(new StartRunResult(s.RunId, request.GraphId, s.Version, live.State.Status)));
                break;
            }

            case ResultItem r:
            {
                var inv = r.Invocation;
                sql.DeleteOutbox(inv.RunId, inv.NodeId, inv.Visit, inv.Attempt);
                sql.RecordUsage(inv, ProviderCalls.Real(r.Execution.Event), now);
                post.Add(() => CountHop(r.DispatchedAt));
                if (Live(sql, inv.RunId) is { } live)
                {
                    var decision = Apply(sql, live, r.Execution.Event, ctx, now, post);
                    touched.Add(inv.RunId);
                    if (r.Execution.Event is NodeSucceeded && !decision.Rejected)
                    {
                        NoteCompletedStep(sql, live, ctx.Now);
                    }
                }

                break;
            }

            case TaskItem task:
                HandleTask(sql, task, ctx.Now, now, post, touched);
                break;

            case TimerItem t when t.RunId.StartsWith(TaskIdPrefix, StringComparison.Ordinal):
                sql.DeleteTimer(t.RunId, t.Tag);
                HandleTaskTimer(sql, t.RunId, t.Tag, ctx.Now, now, touched);
                break;

            case TimerItem t:
            {
                sql.DeleteTimer(t.RunId, t.Tag);
                if (Live(sql, t.RunId) is { } live)
                {
                    Apply(sql, live, new TimerFired(t.Tag), ctx, now, post);
                    touched.Add(t.RunId);
                }

                break;
            }

            case AdminItem a:
            {
                var result = a.Action(sql, ctx.Now);
                post.Add(() => a.Completion.TrySetResult(result));
                break;
            }

            case SignalItem s:
            {
                var live = Live(sql, s.RunId);
                if (live is null || live.TenantId != s.TenantId)
                {
                    post.Add(() => s.Completion.TrySetResult(new SignalResult(SignalStatus.NotFound)));
                    break;
                }

                var decision = Apply(sql, live, s.Signal, ctx, now, post);
                touched.Add(s.RunId);
                var result = decision.Rejected
                    ? new SignalResult(SignalStatus.Rejected, decision.State.Status, decision.Rejection)
                    : new SignalResult(SignalStatus.Applied, decision.State.Status);
                post.Add(() => s.Completion.TrySetResult(result));
                break;
            }
        }
    }

    private Decision Apply(EngineSql sql, LiveRun live, RunEvent evt, RunContext ctx, string now, List<Action> post)
    {
        var decision = live.Decider.Apply(live.State, evt, ctx);
        if (decision.Rejected || (ReferenceEquals(decision.State, live.State) && decision.Commands.Count == 0))
        {
            return decision;
        }

        RecordInput(sql, live, evt, ctx);
        Persist(sql, live, Settle(sql, live, decision, ctx), ctx.Now, now, post);
        return decision;
    }

    /// <summary>
    /// Carries out the guardrail commands of a decision in order — outcomes recorded, questions answered and the
    /// answers applied — and returns the decision they lead to, so the run is written once. The embedded engine
    /// answers at once, in the same transaction; the Durable host asks its entities instead.
    /// </summary>
    private Decision Settle(EngineSql sql, LiveRun live, Decision decision, RunContext ctx)
    {
        if (!decision.Commands.Any(c => c is AskGuardrails or RecordOutcome))
        {
            return decision;
        }

        var state = decision.State;
        var commands = new List<RunCommand>(decision.Commands.Count + 4);
        var pending = new Queue<RunCommand>(decision.Commands);
        while (pending.TryDequeue(out var command))
        {
            switch (command)
            {
                case RecordOutcome outcome:
                    _guardrails.Record(sql, live.TenantId, state, live.Decider.Graph.Budget, outcome, ctx.Now);
                    break;
                case AskGuardrails ask:
                    var answer = _guardrails.Answer(sql, live.TenantId, state, ask, ctx.Now);
                    var next = live.Decider.Apply(state, answer, ctx);
                    if (!next.Rejected)
                    {
                        RecordInput(sql, live, answer, ctx);
                        state = next.State;
                        foreach (var follow in next.Commands)
                        {
                            pending.Enqueue(follow);
                        }
                    }

                    break;
                default:
                    commands.Add(command);
                    break;
            }
        }

        return new Decision(state, commands);
    }

    /// <summary>The event as the decider's input, in the order applied (a RunEvent root, so it carries its type).</summary>
    private static void RecordInput(EngineSql sql, LiveRun live, RunEvent evt, RunContext ctx) =>
        sql.AppendInput(live.State.RunId, live.TenantId, ctx.Now.ToString("O"), RunInputKinds.Event, WardenJson.Serialize(evt));

    private void Persist(EngineSql sql, LiveRun live, Decision decision, DateTimeOffset at, string now, List<Action> post)
    {
        var runId = decision.State.RunId;
        sql.Persist(live, decision, now, command =>
        {
            EngineAudit.Record(sql, live.TenantId, runId, command, at);
            switch (command)
            {
                case FinishRun finish:
                    _guardrails.ReleaseRun(sql, live.TenantId, decision.State, live.Decider.Graph.Budget, at);
                    var (graphId, startedAt, status) = (decision.State.GraphId, decision.State.StartedAt, finish.Status.ToString().ToLowerInvariant());
                    post.Add(() => WardenTelemetry.RunEnded(live.TenantId, graphId, runId, status, startedAt, at));
                    break;
                case ExecuteNode e:
                    post.Add(() => Dispatch(e.Invocation));
                    break;
                case CancelNode c:
                    post.Add(() => Cancel(c, runId));
                    break;
                case StartTimer t:
                    var due = t.Due.ToUnixTimeMilliseconds();
                    if (due < Interlocked.Read(ref _nextTimerCheckMs))
                    {
                        Interlocked.Exchange(ref _nextTimerCheckMs, due);
                    }

                    break;
                case AppendTimeline timeline:
                    var count = timeline.Entries.Count;
                    post.Add(() => Interlocked.Add(ref _events, count));
                    break;
            }
        });
    }

    /// <summary>The run as the writer holds it: from memory while work is in flight, else loaded from the store.</summary>
    private LiveRun? Live(EngineSql sql, string runId)
    {
        if (_live.TryGetValue(runId, out var live))
        {
            return live;
        }

        if (sql.LoadRun(runId) is not { } row)
        {
            return null;
        }

        var decider = _deciders.GetOrAdd(row.TenantId, row.GraphId, row.GraphVersion, () => GraphSource(row.TenantId, row.GraphId, row.GraphVersion));
        live = new LiveRun(row.TenantId, decider, WardenJson.Deserialize<RunState>(row.State), row.Version, row.EventSeq);
        _live[runId] = live;
        return live;
    }

    /// <summary>
    /// A run's graph version, read through the graph store (which may be the shared PostgreSQL store, not this file).
    /// The writer's thread is its own, so it may wait; versions are immutable, and the decider cache keeps each one.
    /// </summary>
    private string GraphSource(string tenantId, string graphId, long version) =>
        (_graphs.GetVersionAsync(tenantId, graphId, version).GetAwaiter().GetResult()
            ?? throw new NotFoundException($"graph {graphId} version {version} not found")).Source;

    /// <summary>A tool's action class, read through the catalog store when a tool step asks its guardrails; null when the tenant has no such tool.</summary>
    private string? ToolActionClass(string tenantId, string tool) =>
        _catalog.GetToolAsync(tenantId, tool).GetAwaiter().GetResult()?.ActionClass;

    private void CountHop(long dispatchedAt)
    {
        Interlocked.Increment(ref _hops);
        _options.OnHop?.Invoke(Stopwatch.GetElapsedTime(dispatchedAt));
    }

    /// <param name="redispatch">
    /// Run a result's attempt again now (the store failed, so trying again may work); otherwise the attempt's
    /// outbox row stays and the next start of the engine retries it, so a failing item cannot spin.
    /// </param>
    private void Fail(WriterItem item, Exception ex, bool redispatch)
    {
        switch (item)
        {
            case StartItem s:
                s.Completion.TrySetException(ex);
                break;
            case SignalItem s:
                s.Completion.TrySetException(ex);
                break;
            case AdminItem a:
                a.Completion.TrySetException(ex);
                break;
            case TaskItem task:
                task.Completion.TrySetException(ex);
                break;
            case ResultItem r when redispatch:
                Dispatch(r.Invocation);
                break;
        }
    }

    private static string RunIdOf(WriterItem item) => item switch
    {
        StartItem s => s.RunId,
        SignalItem s => s.RunId,
        ResultItem r => r.Invocation.RunId,
        TimerItem t => t.RunId,
        TaskItem task => task.TaskId,
        _ => string.Empty,
    };
}
