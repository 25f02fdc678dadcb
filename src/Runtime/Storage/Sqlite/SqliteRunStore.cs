using System.Text;
using Dapper;

namespace Warden.Runtime.Storage.Sqlite;

public sealed class SqliteRunStore(SqliteDatabase db) : IRunStore
{
    private const string RunColumns =
        "id, tenant_id, graph_id, graph_version, status, input, output, error, error_code, state, input_tokens, output_tokens, cost_usd, created_at, updated_at, ended_at";

    private const string ApprovalColumns =
        "id, run_id, node_id, status, message, deadline, escalated, requested_at, decided_at, decided_by, comment";

    public async Task<RunRecord?> GetAsync(string tenantId, string runId, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return await connection.QuerySingleOrDefaultAsync<RunRecord>(
            $"SELECT {RunColumns} FROM runs WHERE tenant_id = @tenantId AND id = @runId",
            new { tenantId, runId });
    }

    public async Task<Page<RunRecord>> ListAsync(string tenantId, RunQuery query, CancellationToken ct = default)
    {
        var sql = new StringBuilder($"SELECT {RunColumns} FROM runs WHERE tenant_id = @tenantId");
        var args = new DynamicParameters(new { tenantId, limit = query.Limit + 1 });
        if (query.GraphId is not null)
        {
            sql.Append(" AND graph_id = @graphId");
            args.Add("graphId", query.GraphId);
        }

        if (query.Status is not null)
        {
            sql.Append(" AND status = @status");
            args.Add("status", query.Status);
        }

        if (query.Since is { } since)
        {
            sql.Append(" AND created_at >= @since");
            args.Add("since", since.ToUniversalTime().ToString("O"));
        }

        if (query.Until is { } until)
        {
            sql.Append(" AND created_at < @until");
            args.Add("until", until.ToUniversalTime().ToString("O"));
        }

        if (query.Node is not null)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM run_events e WHERE e.run_id = runs.id AND e.tenant_id = runs.tenant_id AND e.node_id = @node AND e.type = 'node.started')");
            args.Add("node", query.Node);
        }

        if (RunCursor.TryDecode(query.Cursor, out var createdAt, out var id))
        {
            sql.Append(" AND (created_at < @createdAt OR (created_at = @createdAt AND id < @id))");
            args.Add("createdAt", createdAt);
            args.Add("id", id);
        }

        sql.Append(" ORDER BY created_at DESC, id DESC LIMIT @limit");
        await using var connection = db.Open();
        var rows = (await connection.QueryAsync<RunRecord>(sql.ToString(), args)).AsList();
        return RunCursor.Page(rows, query.Limit);
    }

    public async Task<IReadOnlyList<RunEventRecord>> ListEventsAsync(string tenantId, string runId, long afterSeq, int limit, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<RunEventRecord>(
            "SELECT run_id, seq, at, type, node_id, attempt, data FROM run_events WHERE tenant_id = @tenantId AND run_id = @runId AND seq > @afterSeq ORDER BY seq LIMIT @limit",
            new { tenantId, runId, afterSeq, limit })).AsList();
    }

    public async Task<IReadOnlyList<RunEventRecord>> ListTenantEventsAsync(string tenantId, TimelinePosition after, int limit, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<RunEventRecord>(
            """
            SELECT run_id, seq, at, type, node_id, attempt, data FROM run_events
            WHERE tenant_id = @tenantId AND (at > @At OR (at = @At AND (run_id > @RunId OR (run_id = @RunId AND seq > @Seq))))
            ORDER BY at, run_id, seq LIMIT @limit
            """,
            new { tenantId, after.At, after.RunId, after.Seq, limit })).AsList();
    }

    public async Task<IReadOnlyList<ApprovalRecord>> ListApprovalsAsync(string tenantId, string? runId, string? status, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<ApprovalRecord>(
            $"SELECT {ApprovalColumns} FROM approvals WHERE tenant_id = @tenantId AND (@runId IS NULL OR run_id = @runId) AND (@status IS NULL OR status = @status) ORDER BY requested_at, id",
            new { tenantId, runId, status })).AsList();
    }

    public async Task<ApprovalRecord?> GetApprovalAsync(string tenantId, string approvalId, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return await connection.QuerySingleOrDefaultAsync<ApprovalRecord>(
            $"SELECT {ApprovalColumns} FROM approvals WHERE tenant_id = @tenantId AND id = @approvalId",
            new { tenantId, approvalId });
    }
}
