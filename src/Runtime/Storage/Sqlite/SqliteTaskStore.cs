using Dapper;
using Warden.Core.Oversight.Tasks;
using Warden.Core.Serialization;

namespace Warden.Runtime.Storage.Sqlite;

public sealed class SqliteTaskStore(SqliteDatabase db) : ITaskStore
{
    public async Task<IReadOnlyList<OversightTaskState>> ListAsync(string tenantId, string? status, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        var rows = await connection.QueryAsync<string>(
            "SELECT state FROM oversight_tasks WHERE tenant_id = @tenantId AND (@status IS NULL OR status = @status) ORDER BY updated_at DESC, id LIMIT 500",
            new { tenantId, status });
        return rows.Select(WardenJson.Deserialize<OversightTaskState>).ToList();
    }

    public async Task<OversightTaskState?> GetAsync(string tenantId, string taskId, CancellationToken ct = default)
    {
        await using var connection = db.Open();
        var state = await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT state FROM oversight_tasks WHERE tenant_id = @tenantId AND id = @taskId", new { tenantId, taskId });
        return state is null ? null : WardenJson.Deserialize<OversightTaskState>(state);
    }
}
