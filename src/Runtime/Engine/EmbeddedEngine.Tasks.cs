using System.Security.Cryptography;
using Warden.Core.Oversight.Tasks;
using Warden.Core.Runs;
using Warden.Core.Serialization;

namespace Warden.Runtime.Engine;

/// <summary>Oversight tasks in the embedded engine: same writer, same timers table (keyed by task id), same timeline.</summary>
public sealed partial class EmbeddedEngine : ITaskEngine
{
    public const string TaskIdPrefix = "task_";

    public async Task<OversightTaskState> CreateTaskAsync(string tenantId, string title, string? assignee, string? runId, string actor, CancellationToken ct = default)
    {
        var id = TaskIdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
        var item = new TaskItem(tenantId, id, new TaskCreation(title, assignee, runId, actor), null);
        _inbox.Writer.TryWrite(item);
        return await item.Completion.Task.WaitAsync(ct);
    }

    public async Task<OversightTaskState> ApplyTaskAsync(string tenantId, string taskId, TaskEvent evt, CancellationToken ct = default)
    {
        var item = new TaskItem(tenantId, taskId, null, evt);
        _inbox.Writer.TryWrite(item);
        return await item.Completion.Task.WaitAsync(ct);
    }

    private void HandleTask(EngineSql sql, TaskItem item, DateTimeOffset now, string nowText, List<Action> post, HashSet<string> touched)
    {
        TaskDecision decision;
        long eventSeq;
        if (item.Creation is { } c)
        {
            decision = TaskTransitions.Create(item.TaskId, item.TenantId, c.Title, c.Assignee, c.RunId, c.Actor, _options.Tasks, now);
            eventSeq = 0;
        }
        else
        {
            var row = sql.LoadTask(item.TaskId);
            if (row is null || row.Value.TenantId != item.TenantId)
            {
                post.Add(() => item.Completion.TrySetException(new NotFoundException($"task '{item.TaskId}' not found")));
                return;
            }

            try
            {
                decision = TaskTransitions.Apply(WardenJson.Deserialize<OversightTaskState>(row.Value.State), item.Event!, now);
            }
            catch (InvalidTaskTransitionException ex)
            {
                // A refused transition changes nothing; it is the caller's answer, not a failed batch.
                post.Add(() => item.Completion.TrySetException(ex));
                return;
            }

            eventSeq = row.Value.EventSeq;
        }

        PersistTask(sql, decision, eventSeq, nowText, created: item.Creation is not null);
        touched.Add(item.TaskId);
        post.Add(() => item.Completion.TrySetResult(decision.State));
    }

    private void HandleTaskTimer(EngineSql sql, string taskId, string tag, DateTimeOffset now, string nowText, HashSet<string> touched)
    {
        if (sql.LoadTask(taskId) is not { } row)
        {
            return;
        }

        var decision = TaskTransitions.Apply(WardenJson.Deserialize<OversightTaskState>(row.State), new TaskEvent.TimerFired(tag), now);
        if (decision.Commands.Count > 0)
        {
            PersistTask(sql, decision, row.EventSeq, nowText, created: false);
            touched.Add(taskId);
        }
    }

    private void PersistTask(EngineSql sql, TaskDecision decision, long eventSeq, string now, bool created)
    {
        var state = decision.State;
        foreach (var command in decision.Commands)
        {
            switch (command)
            {
                case TaskCommand.StartTimer t:
                    sql.Execute(
                        "INSERT OR REPLACE INTO timers (run_id, tag, due_ms, tenant_id) VALUES ($r, $tag, $due, $t)",
                        ("$r", state.Id), ("$tag", t.Tag), ("$due", t.Due.ToUnixTimeMilliseconds()), ("$t", state.TenantId));
                    var due = t.Due.ToUnixTimeMilliseconds();
                    if (due < Interlocked.Read(ref _nextTimerCheckMs))
                    {
                        Interlocked.Exchange(ref _nextTimerCheckMs, due);
                    }

                    break;
                case TaskCommand.CancelTimer t:
                    sql.DeleteTimer(state.Id, t.Tag);
                    break;
                case TaskCommand.Record r:
                    // Task transitions join the tenant's timeline, so the oversight stream carries them.
                    sql.Execute(
                        "INSERT INTO run_events (run_id, seq, tenant_id, at, type, node_id, attempt, data) VALUES ($r, $s, $t, $at, $type, NULL, NULL, $d)",
                        ("$r", state.Id), ("$s", ++eventSeq), ("$t", state.TenantId), ("$at", now), ("$type", r.Type),
                        ("$d", WardenJson.Serialize(new Dictionary<string, string> { ["actor"] = r.Actor, ["detail"] = r.Detail, ["status"] = state.Status.ToString().ToLowerInvariant(), ["run_id"] = state.RunId ?? string.Empty })));
                    break;
            }
        }

        sql.SaveTask(state, eventSeq, now, created);
    }

    private sealed record TaskCreation(string Title, string? Assignee, string? RunId, string Actor);

    private sealed record TaskItem(string TenantId, string TaskId, TaskCreation? Creation, TaskEvent? Event) : WriterItem
    {
        public TaskCompletionSource<OversightTaskState> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
