using Azure;
using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// A tenant's tools and agents on Table Storage: table <c>catalog</c>, PartitionKey = tenant id, RowKey =
/// <c>tool|{name}</c> or <c>agent|{name}</c>. The key makes names unique per tenant (a create is an insert that fails
/// on a taken name); listing is a range over <c>tool|</c> or <c>agent|</c> in the tenant's partition. Long text
/// (prompts, input schemas) is split over several properties.
/// </summary>
public sealed class TablesCatalogStore(TableStorage storage) : ICatalogStore
{
    private const string Table = "catalog";
    private const string Tool = "tool|";
    private const string Agent = "agent|";

    public async Task<IReadOnlyList<ToolRecord>> ListToolsAsync(string tenantId, CancellationToken ct = default) =>
        [.. (await ListAsync(tenantId, Tool, ToTool, ct)).OrderBy(t => t.Name, StringComparer.Ordinal)];

    public async Task<ToolRecord?> GetToolAsync(string tenantId, string name, CancellationToken ct = default) =>
        await GetAsync(tenantId, Tool, name, ct) is { } entity ? ToTool(entity) : null;

    public Task<bool> SaveToolAsync(string tenantId, ToolRecord tool, bool create, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var entity = new TableEntity(TableKeys.Escape(tenantId), Tool + TableKeys.Escape(tool.Name))
        {
            ["Name"] = tool.Name,
            ["ActionClass"] = tool.ActionClass,
            ["CreatedAt"] = tool.CreatedAt,
            ["UpdatedAt"] = tool.UpdatedAt,
        };
        TableText.Set(entity, "Description", tool.Description);
        TableText.Write(entity, "InputSchema", tool.InputSchema);
        TableText.Set(entity, "Endpoint", tool.Endpoint);
        return SaveAsync(entity, create, ct);
    }

    public Task<bool> DeleteToolAsync(string tenantId, string name, CancellationToken ct = default) => DeleteAsync(tenantId, Tool, name, ct);

    public async Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(string tenantId, CancellationToken ct = default) =>
        [.. (await ListAsync(tenantId, Agent, ToAgent, ct)).OrderBy(a => a.Name, StringComparer.Ordinal)];

    public async Task<AgentRecord?> GetAgentAsync(string tenantId, string name, CancellationToken ct = default) =>
        await GetAsync(tenantId, Agent, name, ct) is { } entity ? ToAgent(entity) : null;

    public Task<bool> SaveAgentAsync(string tenantId, AgentRecord agent, bool create, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var entity = new TableEntity(TableKeys.Escape(tenantId), Agent + TableKeys.Escape(agent.Name))
        {
            ["Name"] = agent.Name,
            ["Role"] = agent.Role,
            ["CreatedAt"] = agent.CreatedAt,
            ["UpdatedAt"] = agent.UpdatedAt,
        };
        TableText.Set(entity, "Description", agent.Description);
        TableText.Write(entity, "Prompt", agent.Prompt);
        TableText.Write(entity, "Tools", agent.Tools);
        TableText.Set(entity, "Provider", agent.Provider);
        TableText.Set(entity, "Model", agent.Model);
        return SaveAsync(entity, create, ct);
    }

    public Task<bool> DeleteAgentAsync(string tenantId, string name, CancellationToken ct = default) => DeleteAsync(tenantId, Agent, name, ct);

    /// <returns>False when the name is taken (create) or missing (update).</returns>
    private async Task<bool> SaveAsync(TableEntity entity, bool create, CancellationToken ct)
    {
        var table = await storage.TableAsync(Table, ct);
        if (create)
        {
            try
            {
                await table.AddEntityAsync(entity, ct);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                return false;
            }
        }

        // An update keeps the stored creation time: read it, then replace If-Match, again if someone wrote in between.
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, select: ["CreatedAt"], cancellationToken: ct);
            if (!found.HasValue || found.Value is not { } stored)
            {
                return false;
            }

            entity["CreatedAt"] = stored.GetString("CreatedAt") ?? entity.GetString("CreatedAt");
            try
            {
                await table.UpdateEntityAsync(entity, stored.ETag, TableUpdateMode.Replace, ct);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                await OptimisticRetry.DelayAsync(attempt, ct);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return false;
            }
        }

        throw OptimisticRetry.GaveUp($"updating {entity.GetString("Name")}");
    }

    private async Task<bool> DeleteAsync(string tenantId, string kind, string name, CancellationToken ct)
    {
        var table = await storage.TableAsync(Table, ct);
        var response = await table.DeleteEntityAsync(TableKeys.Escape(tenantId), kind + TableKeys.Escape(name), ETag.All, ct);
        return response.Status != 404;
    }

    private async Task<TableEntity?> GetAsync(string tenantId, string kind, string name, CancellationToken ct)
    {
        var table = await storage.TableAsync(Table, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(tenantId), kind + TableKeys.Escape(name), cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    private async Task<List<T>> ListAsync<T>(string tenantId, string kind, Func<TableEntity, T> map, CancellationToken ct)
    {
        var table = await storage.TableAsync(Table, ct);
        var items = new List<T>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(TableKeys.Escape(tenantId), kind), cancellationToken: ct))
        {
            items.Add(map(entity));
        }

        return items;
    }

    private static ToolRecord ToTool(TableEntity entity) => new()
    {
        Name = entity.Required("Name"),
        Description = entity.GetString("Description"),
        ActionClass = entity.Required("ActionClass"),
        InputSchema = TableText.Read(entity, "InputSchema"),
        Endpoint = entity.GetString("Endpoint"),
        CreatedAt = entity.Required("CreatedAt"),
        UpdatedAt = entity.Required("UpdatedAt"),
    };

    private static AgentRecord ToAgent(TableEntity entity) => new()
    {
        Name = entity.Required("Name"),
        Description = entity.GetString("Description"),
        Role = entity.Required("Role"),
        Prompt = TableText.Read(entity, "Prompt") ?? string.Empty,
        Tools = TableText.Read(entity, "Tools") ?? "[]",
        Provider = entity.GetString("Provider"),
        Model = entity.GetString("Model"),
        CreatedAt = entity.Required("CreatedAt"),
        UpdatedAt = entity.Required("UpdatedAt"),
    };
}
