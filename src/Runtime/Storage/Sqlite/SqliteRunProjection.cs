using System.Globalization;
using Dapper;
using Warden.Core.Runs;
using Warden.Core.Serialization;

namespace Warden.Runtime.Storage.Sqlite;

/// <summary>
/// <see cref="IRunProjection"/> over the embedded store's tables (runs, run_events, approvals, llm_usage), with the
/// statements the embedded engine's writer uses, made idempotent: INSERT OR IGNORE on natural keys, and the run row
/// only moves forward (its version column holds the number of the decision last written).
/// </summary>
public sealed class SqliteRunProjection(SqliteDatabase db) : IRunProjection
{
    public async Task CreateRunAsync(RunStart start, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        await using var connection = db.Open();
        await connection.ExecuteAsync(
            """
            INSERT OR IGNORE INTO runs (id, tenant_id, graph_id, graph_version, status, input, state, version, event_seq, created_at, updated_at)
            VALUES (@RunId, @TenantId, @GraphId, @GraphVersion, 'running', @Input, '{}', 0, 0, @now, @now)
            """,
            new { start.RunId, start.TenantId, start.GraphId, start.GraphVersion, start.Input, now = now.ToString("O") });

        // Sequence 0: the start; each later input under the number of the decision that applied it.
        await connection.ExecuteAsync(
            "INSERT OR IGNORE INTO run_inputs (run_id, seq, tenant_id, at, kind, payload) VALUES (@RunId, 0, @TenantId, @now, @kind, @payload)",
            new { start.RunId, start.TenantId, now = now.ToString("O"), kind = Replay.RunInputKinds.Start, payload = WardenJson.Serialize(start) });
    }

    public async Task ApplyAsync(RunProjectionUpdate update, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var state = update.State;
        var at = state.UpdatedAt.ToString("O");
        await using var connection = db.Open();
        await using var tx = await connection.BeginTransactionAsync(ct);
        var seq = update.EventsBefore;
        if (update.Input is { } input)
        {
            await connection.ExecuteAsync(
                "INSERT OR IGNORE INTO run_inputs (run_id, seq, tenant_id, at, kind, payload) VALUES (@run, @version, @tenant, @at, @kind, @payload)",
                new { run = state.RunId, version = update.Version, tenant = state.TenantId, at = input.At.ToString("O"), kind = Replay.RunInputKinds.Event, payload = WardenJson.Serialize(input.Event) },
                tx);
        }

        foreach (var command in update.Commands)
        {
            switch (command)
            {
                case AppendTimeline timeline:
                    foreach (var entry in timeline.Entries)
                    {
                        await connection.ExecuteAsync(
                            "INSERT OR IGNORE INTO run_events (run_id, seq, tenant_id, at, type, node_id, attempt, data) VALUES (@run, @seq, @tenant, @at, @type, @node, @attempt, @data)",
                            new { run = state.RunId, seq = ++seq, tenant = state.TenantId, at = entry.At.ToString("O"), type = entry.Type, node = entry.NodeId, attempt = entry.Attempt, data = entry.Data is null ? null : WardenJson.Serialize(entry.Data) },
                            tx);
                    }

                    break;
                case RequestApproval a:
                    await connection.ExecuteAsync(
                        "INSERT OR IGNORE INTO approvals (id, tenant_id, run_id, node_id, status, message, deadline, requested_at) VALUES (@id, @tenant, @run, @node, 'pending', @message, @deadline, @at)",
                        new { id = a.ApprovalId, tenant = state.TenantId, run = state.RunId, node = a.NodeId, message = a.Message, deadline = a.Deadline?.ToString("O"), at },
                        tx);
                    break;
                case CloseApproval a:
                    await connection.ExecuteAsync(
                        "UPDATE approvals SET status = @status, decided_at = @at, decided_by = @by, comment = @comment WHERE id = @id AND status = 'pending'",
                        new { status = a.Outcome.ToString().ToLowerInvariant(), at, by = a.Actor, comment = a.Comment, id = a.ApprovalId },
                        tx);
                    break;
                case EscalateApproval a:
                    await connection.ExecuteAsync("UPDATE approvals SET escalated = 1 WHERE id = @id", new { id = a.ApprovalId }, tx);
                    break;
            }
        }

        await connection.ExecuteAsync(
            """
            UPDATE runs SET status = @status, output = @output, error = @error, error_code = @code, state = @state, version = @version, event_seq = @seq,
                input_tokens = @input, output_tokens = @outputTokens, cost_usd = @cost, updated_at = @at, ended_at = @ended
            WHERE id = @id AND tenant_id = @tenant AND version < @version
            """,
            new
            {
                status = state.Status.ToString().ToLowerInvariant(),
                output = state.Output,
                error = state.Error,
                code = state.ErrorCode,
                state = WardenJson.Serialize(state),
                version = update.Version,
                seq,
                input = state.Usage.InputTokens,
                outputTokens = state.Usage.OutputTokens,
                cost = state.Usage.CostUsd.ToString(CultureInfo.InvariantCulture),
                at,
                ended = state.EndedAt?.ToString("O"),
                id = state.RunId,
                tenant = state.TenantId,
            },
            tx);
        await tx.CommitAsync(ct);
    }

    public async Task RecordUsageAsync(NodeInvocation invocation, IReadOnlyList<ProviderCall> calls, DateTimeOffset at, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Count == 0)
        {
            return;
        }

        await using var connection = db.Open();
        await using var tx = await connection.BeginTransactionAsync(ct);
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            await connection.ExecuteAsync(
                """
                INSERT OR IGNORE INTO llm_usage (run_id, node_id, visit, attempt, call, tenant_id, graph_id, provider, model, region, input_tokens, output_tokens, cost_usd, latency_ms, outcome, at)
                VALUES (@run, @node, @visit, @attempt, @call, @tenant, @graph, @provider, @model, @region, @input, @output, @cost, @latency, @outcome, @at)
                """,
                new
                {
                    run = invocation.RunId,
                    node = invocation.NodeId,
                    visit = invocation.Visit,
                    attempt = invocation.Attempt,
                    call = i + 1,
                    tenant = invocation.TenantId,
                    graph = invocation.GraphId,
                    provider = call.Provider,
                    model = call.Model,
                    region = call.Region,
                    input = call.Usage.InputTokens,
                    output = call.Usage.OutputTokens,
                    cost = call.Usage.CostUsd.ToString(CultureInfo.InvariantCulture),
                    latency = call.LatencyMs,
                    outcome = call.Succeeded ? "success" : call.Retryable ? "retryable_error" : "error",
                    at = at.ToString("O"),
                },
                tx);
        }

        await tx.CommitAsync(ct);
    }
}
