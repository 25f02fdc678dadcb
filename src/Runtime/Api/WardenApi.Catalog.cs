using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Warden.Core.Graphs;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Api;

/// <summary>A tenant's tools and agents. An agent may only list tools of its own tenant.</summary>
public sealed partial class WardenApi
{
    private static readonly string[] ActionClasses = ["read", "write", "external"];

    [GeneratedRegex("^[a-z][a-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex CatalogName();

    public Task<IResult> ListToolsAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
        Json(new { items = (await catalog.ListToolsAsync(caller.TenantId, http.RequestAborted)).Select(Tool) }));

    public Task<IResult> GetToolAsync(HttpContext http, string name) => GuardAsync(http, Roles.Any, async caller =>
        Json(Tool(await catalog.GetToolAsync(caller.TenantId, name, http.RequestAborted) ?? throw ApiException.NotFound($"tool '{name}' not found"))));

    /// <summary>POST /api/v1/tools (create) and PUT /api/v1/tools/{name} (replace): {name, description?, action_class, input_schema?}.</summary>
    public Task<IResult> SaveToolAsync(HttpContext http, string? name) => GuardAsync(http, Roles.ManageCatalog, async caller =>
    {
        var body = await ReadJsonObjectAsync(http);
        var toolName = CheckName(name ?? OptionalString(body, "name"), "tool");
        var actionClass = OptionalString(body, "action_class") ?? throw ApiException.BadRequest($"'action_class' is required: {string.Join(", ", ActionClasses)}");
        if (!ActionClasses.Contains(actionClass))
        {
            throw ApiException.BadRequest($"'action_class' must be read, write or external, not '{actionClass}'");
        }

        string? schema = null;
        if (body.TryGetProperty("input_schema", out var schemaElement) && schemaElement.ValueKind != JsonValueKind.Null)
        {
            schema = schemaElement.ValueKind == JsonValueKind.Object ? schemaElement.GetRawText() : throw ApiException.BadRequest("'input_schema' must be a JSON Schema object");
        }

        var endpoint = OptionalString(body, "endpoint");
        if (endpoint is not null && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            throw ApiException.BadRequest($"'endpoint' must be an absolute http or https URL, not '{endpoint}'");
        }

        var now = clock.GetUtcNow().ToString("O");
        var existing = name is null ? null : await catalog.GetToolAsync(caller.TenantId, toolName, http.RequestAborted);
        var record = new ToolRecord
        {
            Name = toolName,
            Description = OptionalString(body, "description"),
            ActionClass = actionClass,
            InputSchema = schema,
            Endpoint = endpoint,
            CreatedAt = existing?.CreatedAt ?? now,
            UpdatedAt = now,
        };
        if (!await catalog.SaveToolAsync(caller.TenantId, record, create: name is null, http.RequestAborted))
        {
            throw name is null ? ApiException.Conflict("NAME_TAKEN", $"a tool named '{toolName}' already exists") : ApiException.NotFound($"tool '{toolName}' not found");
        }

        await audit.AppendAsync(caller.TenantId, caller.Actor, name is null ? "tool.created" : "tool.updated", toolName, Tool(record));
        return name is null ? Created($"/api/v1/tools/{toolName}", Tool(record)) : Json(Tool(record));
    });

    public Task<IResult> DeleteToolAsync(HttpContext http, string name) => GuardAsync(http, Roles.ManageCatalog, async caller =>
    {
        var users = (await catalog.ListAgentsAsync(caller.TenantId, http.RequestAborted)).Where(a => ToolsOf(a).Contains(name)).Select(a => a.Name).ToList();
        if (users.Count > 0)
        {
            throw ApiException.Conflict("TOOL_IN_USE", $"tool '{name}' is used by agents: {string.Join(", ", users)}");
        }

        if (!await catalog.DeleteToolAsync(caller.TenantId, name, http.RequestAborted))
        {
            throw ApiException.NotFound($"tool '{name}' not found");
        }

        await audit.AppendAsync(caller.TenantId, caller.Actor, "tool.deleted", name, new { name });
        return Results.NoContent();
    });

    public Task<IResult> ListAgentsAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
        Json(new { items = (await catalog.ListAgentsAsync(caller.TenantId, http.RequestAborted)).Select(Agent) }));

    public Task<IResult> GetAgentAsync(HttpContext http, string name) => GuardAsync(http, Roles.Any, async caller =>
        Json(Agent(await catalog.GetAgentAsync(caller.TenantId, name, http.RequestAborted) ?? throw ApiException.NotFound($"agent '{name}' not found"))));

    /// <summary>POST /api/v1/agents and PUT /api/v1/agents/{name}: {name, role, prompt, tools?, provider?, model?, description?}.</summary>
    public Task<IResult> SaveAgentAsync(HttpContext http, string? name) => GuardAsync(http, Roles.ManageCatalog, async caller =>
    {
        var body = await ReadJsonObjectAsync(http);
        var agentName = CheckName(name ?? OptionalString(body, "name"), "agent");
        var role = OptionalString(body, "role") ?? throw ApiException.BadRequest("'role' is required");
        if (!AgentRoles.All.Contains(role))
        {
            throw ApiException.BadRequest($"unknown role '{role}'; known roles: {string.Join(", ", AgentRoles.All.Order())}");
        }

        var prompt = OptionalString(body, "prompt") ?? throw ApiException.BadRequest("'prompt' is required");
        var tools = new List<string>();
        if (body.TryGetProperty("tools", out var toolsElement) && toolsElement.ValueKind != JsonValueKind.Null)
        {
            if (toolsElement.ValueKind != JsonValueKind.Array || toolsElement.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String))
            {
                throw ApiException.BadRequest("'tools' must be a list of tool names");
            }

            tools = toolsElement.EnumerateArray().Select(t => t.GetString()!).Distinct(StringComparer.Ordinal).ToList();
        }

        var known = (await catalog.ListToolsAsync(caller.TenantId, http.RequestAborted)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = tools.Where(t => !known.Contains(t)).ToList();
        if (unknown.Count > 0)
        {
            throw ApiException.BadRequest($"unknown tools: {string.Join(", ", unknown)}; an agent may only use tools of its own tenant", new { unknown_tools = unknown });
        }

        var now = clock.GetUtcNow().ToString("O");
        var existing = name is null ? null : await catalog.GetAgentAsync(caller.TenantId, agentName, http.RequestAborted);
        var record = new AgentRecord
        {
            Name = agentName,
            Description = OptionalString(body, "description"),
            Role = role,
            Prompt = prompt,
            Tools = JsonSerializer.Serialize(tools),
            Provider = OptionalString(body, "provider"),
            Model = OptionalString(body, "model"),
            CreatedAt = existing?.CreatedAt ?? now,
            UpdatedAt = now,
        };
        if (!await catalog.SaveAgentAsync(caller.TenantId, record, create: name is null, http.RequestAborted))
        {
            throw name is null ? ApiException.Conflict("NAME_TAKEN", $"an agent named '{agentName}' already exists") : ApiException.NotFound($"agent '{agentName}' not found");
        }

        await audit.AppendAsync(caller.TenantId, caller.Actor, name is null ? "agent.created" : "agent.updated", agentName, Agent(record));
        return name is null ? Created($"/api/v1/agents/{agentName}", Agent(record)) : Json(Agent(record));
    });

    public Task<IResult> DeleteAgentAsync(HttpContext http, string name) => GuardAsync(http, Roles.ManageCatalog, async caller =>
    {
        if (!await catalog.DeleteAgentAsync(caller.TenantId, name, http.RequestAborted))
        {
            throw ApiException.NotFound($"agent '{name}' not found");
        }

        await audit.AppendAsync(caller.TenantId, caller.Actor, "agent.deleted", name, new { name });
        return Results.NoContent();
    });

    private static string CheckName(string? name, string what) =>
        name is null ? throw ApiException.BadRequest("'name' is required")
        : CatalogName().IsMatch(name) ? name
        : throw ApiException.BadRequest($"{what} name '{name}' must start with a lower-case letter and use a-z, 0-9, '_', '.', '-' (at most 64)");

    private static LocatedResult Created(string location, object body) =>
        new(location, Json(body, StatusCodes.Status201Created));

    private static List<string> ToolsOf(AgentRecord agent) => JsonSerializer.Deserialize<List<string>>(agent.Tools) ?? [];

    private static object Tool(ToolRecord t) => new
    {
        t.Name,
        t.Description,
        t.ActionClass,
        t.Endpoint,
        input_schema = t.InputSchema is null ? null : JsonDocument.Parse(t.InputSchema).RootElement.Clone() as JsonElement?,
        t.CreatedAt,
        t.UpdatedAt,
    };

    private static object Agent(AgentRecord a) => new
    {
        a.Name,
        a.Description,
        a.Role,
        a.Prompt,
        tools = ToolsOf(a),
        a.Provider,
        a.Model,
        a.CreatedAt,
        a.UpdatedAt,
    };

    /// <summary>Adds a Location header to a result.</summary>
    private sealed class LocatedResult(string location, IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
