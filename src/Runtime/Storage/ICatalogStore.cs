namespace Warden.Runtime.Storage;

/// <summary>A tenant's tools and agents. Names are unique per tenant; every query is scoped to one tenant.</summary>
public interface ICatalogStore
{
    Task<IReadOnlyList<ToolRecord>> ListToolsAsync(string tenantId, CancellationToken ct = default);

    Task<ToolRecord?> GetToolAsync(string tenantId, string name, CancellationToken ct = default);

    /// <returns>False when the name is taken (create) or missing (update).</returns>
    Task<bool> SaveToolAsync(string tenantId, ToolRecord tool, bool create, CancellationToken ct = default);

    Task<bool> DeleteToolAsync(string tenantId, string name, CancellationToken ct = default);

    Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(string tenantId, CancellationToken ct = default);

    Task<AgentRecord?> GetAgentAsync(string tenantId, string name, CancellationToken ct = default);

    /// <returns>False when the name is taken (create) or missing (update).</returns>
    Task<bool> SaveAgentAsync(string tenantId, AgentRecord agent, bool create, CancellationToken ct = default);

    Task<bool> DeleteAgentAsync(string tenantId, string name, CancellationToken ct = default);
}
