using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Warden.Core.Graphs;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Api;

public sealed partial class WardenApi
{
    /// <summary>POST /api/v1/graphs — YAML or JSON; a changed graph under the same name becomes a new version.</summary>
    public Task<IResult> CreateGraphAsync(HttpContext http) => GuardAsync(http, Roles.ManageGraphs, async caller =>
    {
        var (text, mediaType) = await ReadBodyAsync(http, GraphMediaTypes);
        var format = mediaType == "application/json" ? "json" : "yaml";
        if (format == "json")
        {
            CheckJsonSyntax(text);

            // YAML forbids tabs where JSON allows them as whitespace; spaces keep every line and column the same.
            text = text.Replace('\t', ' ');
        }

        var graph = GraphParser.Parse(text);
        var (version, created) = await graphs.SaveVersionAsync(caller.TenantId, graph.Name, graph.Description, text, format, http.RequestAborted);
        var body = Responses.GraphVersion(version, graph);
        if (!created)
        {
            return Json(body);
        }

        await audit.AppendAsync(caller.TenantId, caller.Actor, "graph.uploaded", version.GraphId, new { version.GraphId, version.Version, version.ContentHash, text });
        http.Response.Headers.Location = $"/api/v1/graphs/{version.GraphId}/versions/{version.Version}";
        return Json(body, StatusCodes.Status201Created);
    });

    public Task<IResult> ListGraphsAsync(HttpContext http) => GuardAsync(http, Roles.Any, async caller =>
    {
        var list = await graphs.ListAsync(caller.TenantId, http.RequestAborted);
        return Json(new { items = list.Select(Responses.Graph) });
    });

    public Task<IResult> GetGraphAsync(HttpContext http, string graphId) => GuardAsync(http, Roles.Any, async caller =>
    {
        var graph = await graphs.GetAsync(caller.TenantId, graphId, http.RequestAborted) ?? throw ApiException.NotFound($"graph '{graphId}' not found");
        var versions = await graphs.ListVersionsAsync(caller.TenantId, graphId, http.RequestAborted);
        var latest = versions[^1];
        return Json(new
        {
            graph_id = graph.Id,
            graph.Description,
            graph.LatestVersion,
            graph.CreatedAt,
            graph.UpdatedAt,
            versions = versions.Select(v => new { v.Version, v.ContentHash, v.CreatedAt }),
            definition = GraphParser.Parse(latest.Source),
        });
    });

    public Task<IResult> GetGraphVersionAsync(HttpContext http, string graphId, long version) => GuardAsync(http, Roles.Any, async caller =>
    {
        var record = await graphs.GetVersionAsync(caller.TenantId, graphId, version, http.RequestAborted)
            ?? throw ApiException.NotFound($"graph '{graphId}' has no version {version}");
        return Json(Responses.GraphVersion(record, GraphParser.Parse(record.Source)));
    });

    private static void CheckJsonSyntax(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            var column = (int)(ex.BytePositionInLine ?? 0) + 1;
            throw new GraphValidationException([new GraphError("$", $"not valid JSON: {ex.Message.Split(" LineNumber", 2)[0]}", line, column)]);
        }
    }
}
