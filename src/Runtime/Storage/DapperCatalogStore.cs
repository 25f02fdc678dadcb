using System.Data.Common;
using Dapper;

namespace Warden.Runtime.Storage;

/// <summary>
/// A tenant's tools and agents over SQL that SQLite and PostgreSQL both speak (a taken name is an insert that
/// changes nothing: ON CONFLICT DO NOTHING); the backends supply the connection and name their constraint errors.
/// </summary>
public abstract class DapperCatalogStore : ICatalogStore
{
    private const string ToolColumns = "name, description, action_class, input_schema, endpoint, created_at, updated_at";
    private const string AgentColumns = "name, description, role, prompt, tools, provider, model, created_at, updated_at";

    public async Task<IReadOnlyList<ToolRecord>> ListToolsAsync(string tenantId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return (await connection.QueryAsync<ToolRecord>($"SELECT {ToolColumns} FROM tools WHERE tenant_id = @tenantId ORDER BY name", new { tenantId })).AsList();
    }

    public async Task<ToolRecord?> GetToolAsync(string tenantId, string name, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ToolRecord>($"SELECT {ToolColumns} FROM tools WHERE tenant_id = @tenantId AND name = @name", new { tenantId, name });
    }

    public Task<bool> SaveToolAsync(string tenantId, ToolRecord tool, bool create, CancellationToken ct = default)
    {
        var args = new { tenantId, tool.Name, tool.Description, tool.ActionClass, tool.InputSchema, tool.Endpoint, tool.CreatedAt, tool.UpdatedAt };
        return WriteAsync(
            create
                ? "INSERT INTO tools (tenant_id, name, description, action_class, input_schema, endpoint, created_at, updated_at) VALUES (@tenantId, @Name, @Description, @ActionClass, @InputSchema, @Endpoint, @CreatedAt, @UpdatedAt) ON CONFLICT (tenant_id, name) DO NOTHING"
                : "UPDATE tools SET description = @Description, action_class = @ActionClass, input_schema = @InputSchema, endpoint = @Endpoint, updated_at = @UpdatedAt WHERE tenant_id = @tenantId AND name = @Name",
            args,
            ct);
    }

    public Task<bool> DeleteToolAsync(string tenantId, string name, CancellationToken ct = default) =>
        WriteAsync("DELETE FROM tools WHERE tenant_id = @tenantId AND name = @name", new { tenantId, name }, ct);

    public async Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(string tenantId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return (await connection.QueryAsync<AgentRecord>($"SELECT {AgentColumns} FROM agents WHERE tenant_id = @tenantId ORDER BY name", new { tenantId })).AsList();
    }

    public async Task<AgentRecord?> GetAgentAsync(string tenantId, string name, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<AgentRecord>($"SELECT {AgentColumns} FROM agents WHERE tenant_id = @tenantId AND name = @name", new { tenantId, name });
    }

    public Task<bool> SaveAgentAsync(string tenantId, AgentRecord agent, bool create, CancellationToken ct = default)
    {
        var args = new { tenantId, agent.Name, agent.Description, agent.Role, agent.Prompt, agent.Tools, agent.Provider, agent.Model, agent.CreatedAt, agent.UpdatedAt };
        return WriteAsync(
            create
                ? "INSERT INTO agents (tenant_id, name, description, role, prompt, tools, provider, model, created_at, updated_at) VALUES (@tenantId, @Name, @Description, @Role, @Prompt, @Tools, @Provider, @Model, @CreatedAt, @UpdatedAt) ON CONFLICT (tenant_id, name) DO NOTHING"
                : "UPDATE agents SET description = @Description, role = @Role, prompt = @Prompt, tools = @Tools, provider = @Provider, model = @Model, updated_at = @UpdatedAt WHERE tenant_id = @tenantId AND name = @Name",
            args,
            ct);
    }

    public Task<bool> DeleteAgentAsync(string tenantId, string name, CancellationToken ct = default) =>
        WriteAsync("DELETE FROM agents WHERE tenant_id = @tenantId AND name = @name", new { tenantId, name }, ct);

    /// <returns>Whether exactly one row changed: a taken name (ON CONFLICT DO NOTHING) or a missing one changes none.</returns>
    private async Task<bool> WriteAsync(string sql, object args, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        try
        {
            return await connection.ExecuteAsync(sql, args) == 1;
        }
        catch (DbException ex) when (IsConstraintViolation(ex))
        {
            // A row the schema refuses is answered like a taken name: the store says false.
            return false;
        }
    }

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken ct);

    protected abstract bool IsConstraintViolation(DbException ex);
}
