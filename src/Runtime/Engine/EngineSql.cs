using System.Globalization;
using Microsoft.Data.Sqlite;
using Warden.Core.Runs;
using Warden.Core.Serialization;

namespace Warden.Runtime.Engine;

/// <summary>A run's persisted position as the writer holds it between decisions.</summary>
internal sealed class LiveRun(string tenantId, RunDecider decider, RunState state, long version, long eventSeq)
{
    public string TenantId { get; } = tenantId;

    public RunDecider Decider { get; } = decider;

    public RunState State { get; set; } = state;

    public long Version { get; set; } = version;

    public long EventSeq { get; set; } = eventSeq;

    public bool HasWorkInFlight => State.Nodes.Values.Any(n => n.Status == NodeStatus.Running);
}

/// <summary>
/// The engine tables as the single writer sees them: state, outbox, timers, approvals, timeline and usage.
/// Statements are prepared once on the writer's connection and reused for every decision.
/// </summary>
internal sealed class EngineSql : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);

    public EngineSql(SqliteConnection connection)
    {
        _connection = connection;
    }

    public SqliteTransaction? Transaction { get; set; }

    /// <summary>Queue audit rows for the forwarder instead of appending them here (see <see cref="EngineOptions.ForwardAudit"/>).</summary>
    public bool ForwardAudit { get; init; }

    public void Execute(string sql, params (string Name, object? Value)[] args)
    {
        Command(sql, args).ExecuteNonQuery();
    }

    public int ExecuteCount(string sql, params (string Name, object? Value)[] args)
    {
        return Command(sql, args).ExecuteNonQuery();
    }

    public SqliteDataReader Query(string sql, params (string Name, object? Value)[] args)
    {
        return Command(sql, args).ExecuteReader();
    }

    public void InsertRun(StartRunRequest request, string runId, long version, string now) => Execute(
        "INSERT INTO runs (id, tenant_id, graph_id, graph_version, status, input, state, version, event_seq, created_at, updated_at) VALUES ($id, $tenant, $graph, $gv, 'running', $input, '{}', 0, 0, $now, $now)",
        ("$id", runId), ("$tenant", request.TenantId), ("$graph", request.GraphId), ("$gv", version), ("$input", request.Input), ("$now", now));

    public (string TenantId, string GraphId, long GraphVersion, string State, long Version, long EventSeq)? LoadRun(string runId)
    {
        using var reader = Query("SELECT tenant_id, graph_id, graph_version, state, version, event_seq FROM runs WHERE id = $id", ("$id", runId));
        return reader.Read()
            ? (reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5))
            : null;
    }

    public List<(string RunId, string Tag)> DueTimers(long nowMs, int limit)
    {
        var result = new List<(string, string)>();
        using var reader = Query("SELECT run_id, tag FROM timers WHERE due_ms <= $now ORDER BY due_ms LIMIT $limit", ("$now", nowMs), ("$limit", limit));
        while (reader.Read())
        {
            result.Add((reader.GetString(0), reader.GetString(1)));
        }

        return result;
    }

    public long? NextTimerDue()
    {
        using var reader = Query("SELECT MIN(due_ms) FROM timers");
        return reader.Read() && !reader.IsDBNull(0) ? reader.GetInt64(0) : null;
    }

    public List<NodeInvocation> PendingOutbox()
    {
        var result = new List<NodeInvocation>();
        using var reader = Query("SELECT payload FROM outbox ORDER BY created_at");
        while (reader.Read())
        {
            result.Add(WardenJson.Deserialize<NodeInvocation>(reader.GetString(0)));
        }

        return result;
    }

    public (string TenantId, string State, long EventSeq)? LoadTask(string taskId)
    {
        using var reader = Query("SELECT tenant_id, state, event_seq FROM oversight_tasks WHERE id = $id", ("$id", taskId));
        return reader.Read() ? (reader.GetString(0), reader.GetString(1), reader.GetInt64(2)) : null;
    }

    public void SaveTask(Core.Oversight.Tasks.OversightTaskState state, long eventSeq, string now, bool created) => Execute(
        created
            ? "INSERT INTO oversight_tasks (id, tenant_id, status, assignee, run_id, state, event_seq, created_at, updated_at) VALUES ($id, $t, $status, $a, $r, $s, $seq, $now, $now)"
            : "UPDATE oversight_tasks SET status = $status, assignee = $a, run_id = $r, state = $s, event_seq = $seq, updated_at = $now WHERE id = $id AND tenant_id = $t",
        ("$id", state.Id), ("$t", state.TenantId), ("$status", state.Status.ToString().ToLowerInvariant()), ("$a", state.Assignee), ("$r", state.RunId),
        ("$s", WardenJson.Serialize(state)), ("$seq", eventSeq), ("$now", now));

    public string? LoadGuardrail(string key)
    {
        using var reader = Query("SELECT state FROM guardrail_state WHERE key = $k", ("$k", key));
        return reader.Read() ? reader.GetString(0) : null;
    }

    public void SaveGuardrail(string key, string kind, string? tenantId, string state, string now) => Execute(
        "INSERT INTO guardrail_state (key, kind, tenant_id, state, updated_at) VALUES ($k, $kind, $t, $s, $now) ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        ("$k", key), ("$kind", kind), ("$t", tenantId), ("$s", state), ("$now", now));

    /// <summary>What a tenant (or one of its graphs) has spent on LLM calls since a time, from the usage records.</summary>
    public (decimal CostUsd, long Tokens) SpendSince(string tenantId, string? graphId, DateTimeOffset since)
    {
        using var reader = Query(
            "SELECT cost_usd, input_tokens + output_tokens FROM llm_usage WHERE tenant_id = $t AND ($g IS NULL OR graph_id = $g) AND at >= $since",
            ("$t", tenantId), ("$g", graphId), ("$since", since.ToString("O")));
        decimal cost = 0;
        long tokens = 0;
        while (reader.Read())
        {
            cost += decimal.Parse(reader.GetString(0), CultureInfo.InvariantCulture);
            tokens += reader.GetInt64(1);
        }

        return (cost, tokens);
    }

    /// <summary>
    /// Appends to the tenant's audit chain in the writer's transaction, so the row commits with the decision it records;
    /// or, when the chain is kept in another store, queues it in the same transaction for the forwarder.
    /// </summary>
    public void AppendAudit(string tenantId, DateTimeOffset at, string actor, string action, string target, object? payload)
    {
        var tx = Transaction ?? throw new InvalidOperationException("audit rows are written inside the writer's transaction");
        if (ForwardAudit)
        {
            Storage.AuditOutbox.Enqueue(_connection, tx, tenantId, at, actor, action, target, payload);
        }
        else
        {
            Storage.Sqlite.SqliteAuditLog.Append(_connection, tx, tenantId, at, actor, action, target, payload);
        }
    }

    /// <summary>
    /// Records one input the decider applied (its start, or an event) at the decision's time, numbered after the run's
    /// last one: the run's history as a recording (see <see cref="Core.Runs.Replay.ExactReplayer"/>).
    /// </summary>
    public void AppendInput(string runId, string tenantId, string at, string kind, string payload) => Execute(
        "INSERT INTO run_inputs (run_id, seq, tenant_id, at, kind, payload) VALUES ($r, (SELECT COALESCE(MAX(seq), 0) + 1 FROM run_inputs WHERE run_id = $r), $t, $at, $k, $p)",
        ("$r", runId), ("$t", tenantId), ("$at", at), ("$k", kind), ("$p", payload));

    public void DeleteTimer(string runId, string tag) =>
        Execute("DELETE FROM timers WHERE run_id = $r AND tag = $t", ("$r", runId), ("$t", tag));

    public void DeleteOutbox(string runId, string nodeId, int visit, int attempt) =>
        Execute("DELETE FROM outbox WHERE run_id = $r AND node_id = $n AND visit = $v AND attempt = $a", ("$r", runId), ("$n", nodeId), ("$v", visit), ("$a", attempt));

    /// <summary>
    /// One row per provider call, keyed by run/node/visit/attempt/call: an attempt re-executed after a crash
    /// writes the same keys, so it is counted once.
    /// </summary>
    public void RecordUsage(NodeInvocation inv, IReadOnlyList<ProviderCall> calls, string now)
    {
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            Execute(
                """
                INSERT OR IGNORE INTO llm_usage (run_id, node_id, visit, attempt, call, tenant_id, graph_id, provider, model, region, input_tokens, output_tokens, cost_usd, latency_ms, outcome, at)
                VALUES ($r, $n, $v, $a, $c, $t, $g, $p, $m, $region, $in, $out, $cost, $lat, $outcome, $at)
                """,
                ("$r", inv.RunId), ("$n", inv.NodeId), ("$v", inv.Visit), ("$a", inv.Attempt), ("$c", i + 1), ("$t", inv.TenantId), ("$g", inv.GraphId),
                ("$p", call.Provider), ("$m", call.Model), ("$region", call.Region), ("$in", call.Usage.InputTokens), ("$out", call.Usage.OutputTokens),
                ("$cost", call.Usage.CostUsd.ToString(CultureInfo.InvariantCulture)), ("$lat", call.LatencyMs),
                ("$outcome", call.Succeeded ? "success" : call.Retryable ? "retryable_error" : "error"), ("$at", now));
        }
    }

    /// <summary>Writes one decision: its commands' rows, then the new state under optimistic concurrency.</summary>
    public void Persist(LiveRun live, Decision decision, string now, Action<RunCommand> afterWrite)
    {
        var runId = decision.State.RunId;
        foreach (var command in decision.Commands)
        {
            switch (command)
            {
                case ExecuteNode e:
                    var inv = e.Invocation;
                    Execute(
                        "INSERT OR REPLACE INTO outbox (run_id, node_id, visit, attempt, tenant_id, payload, created_at) VALUES ($r, $n, $v, $a, $t, $p, $now)",
                        ("$r", runId), ("$n", inv.NodeId), ("$v", inv.Visit), ("$a", inv.Attempt), ("$t", live.TenantId), ("$p", WardenJson.Serialize(inv)), ("$now", now));
                    break;
                case CancelNode c:
                    DeleteOutbox(runId, c.NodeId, c.Visit, c.Attempt);
                    break;
                case StartTimer t:
                    Execute(
                        "INSERT OR REPLACE INTO timers (run_id, tag, due_ms, tenant_id) VALUES ($r, $tag, $due, $t)",
                        ("$r", runId), ("$tag", t.Tag), ("$due", t.Due.ToUnixTimeMilliseconds()), ("$t", live.TenantId));
                    break;
                case CancelTimer t:
                    DeleteTimer(runId, t.Tag);
                    break;
                case RequestApproval a:
                    Execute(
                        "INSERT OR REPLACE INTO approvals (id, tenant_id, run_id, node_id, status, message, deadline, requested_at) VALUES ($id, $t, $r, $n, 'pending', $m, $d, $now)",
                        ("$id", a.ApprovalId), ("$t", live.TenantId), ("$r", runId), ("$n", a.NodeId), ("$m", a.Message), ("$d", a.Deadline?.ToString("O")), ("$now", now));
                    break;
                case CloseApproval a:
                    Execute(
                        "UPDATE approvals SET status = $s, decided_at = $now, decided_by = $by, comment = $c WHERE id = $id AND status = 'pending'",
                        ("$s", a.Outcome.ToString().ToLowerInvariant()), ("$now", now), ("$by", a.Actor), ("$c", a.Comment), ("$id", a.ApprovalId));
                    break;
                case EscalateApproval a:
                    Execute("UPDATE approvals SET escalated = 1 WHERE id = $id", ("$id", a.ApprovalId));
                    break;
                case AppendTimeline timeline:
                    foreach (var entry in timeline.Entries)
                    {
                        Execute(
                            "INSERT INTO run_events (run_id, seq, tenant_id, at, type, node_id, attempt, data) VALUES ($r, $s, $t, $at, $type, $n, $a, $d)",
                            ("$r", runId), ("$s", ++live.EventSeq), ("$t", live.TenantId), ("$at", entry.At.ToString("O")), ("$type", entry.Type),
                            ("$n", entry.NodeId), ("$a", entry.Attempt), ("$d", entry.Data is null ? null : WardenJson.Serialize(entry.Data)));
                    }

                    break;
            }

            afterWrite(command);
        }

        var state = decision.State;
        if (ReferenceEquals(state, live.State))
        {
            // A late result: its spend was recorded above, the run itself did not change.
            return;
        }

        var updated = ExecuteCount(
            """
            UPDATE runs SET status = $status, output = $output, error = $error, error_code = $code, state = $state, version = version + 1, event_seq = $seq,
                input_tokens = $in, output_tokens = $out, cost_usd = $cost, updated_at = $now, ended_at = $ended
            WHERE id = $id AND version = $version
            """,
            ("$status", state.Status.ToString().ToLowerInvariant()), ("$output", state.Output), ("$error", state.Error), ("$code", state.ErrorCode), ("$state", WardenJson.Serialize(state)),
            ("$seq", live.EventSeq), ("$in", state.Usage.InputTokens), ("$out", state.Usage.OutputTokens),
            ("$cost", state.Usage.CostUsd.ToString(CultureInfo.InvariantCulture)), ("$now", now), ("$ended", state.EndedAt?.ToString("O")),
            ("$id", runId), ("$version", live.Version));
        if (updated != 1)
        {
            throw new InvalidOperationException($"run {runId} was changed by another writer (expected version {live.Version})");
        }

        live.State = state;
        live.Version++;
    }

    public void Dispose()
    {
        foreach (var cmd in _prepared.Values)
        {
            cmd.Dispose();
        }
    }

    /// <summary>The prepared command for this SQL with the arguments bound; prepared on first use only.</summary>
    private SqliteCommand Command(string sql, (string Name, object? Value)[] args)
    {
        if (!_prepared.TryGetValue(sql, out var cmd))
        {
            cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            cmd.Transaction = Transaction;
            foreach (var (name, value) in args)
            {
                cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            cmd.Prepare();
            _prepared[sql] = cmd;
            return cmd;
        }

        cmd.Transaction = Transaction;
        for (var i = 0; i < args.Length; i++)
        {
            cmd.Parameters[i].Value = args[i].Value ?? DBNull.Value;
        }

        return cmd;
    }
}
