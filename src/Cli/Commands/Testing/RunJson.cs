using System.Globalization;
using System.Text.Json;
using Warden.Core.Testing;

namespace Warden.Cli.Commands.Testing;

/// <summary>A run as the API returns it (GET /runs/{id} and its events) turned into what assertions read.</summary>
public static class RunJson
{
    public static RunObservation ToObservation(JsonElement run, IReadOnlyList<JsonElement> events, string? status = null)
    {
        var nodes = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (run.TryGetProperty("nodes", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var node in list.EnumerateArray())
            {
                nodes[node.GetProperty("node_id").GetString()!] = Text(node, "output");
            }
        }

        var usage = run.GetProperty("usage");
        var created = DateTimeOffset.Parse(run.GetProperty("created_at").GetString()!, CultureInfo.InvariantCulture);
        var ended = Text(run, "ended_at") is { } e ? DateTimeOffset.Parse(e, CultureInfo.InvariantCulture)
            : events.Count > 0 ? DateTimeOffset.Parse(events[^1].GetProperty("at").GetString()!, CultureInfo.InvariantCulture) : created;
        return new RunObservation(
            status ?? run.GetProperty("status").GetString()!,
            Text(run, "error_code"),
            Text(run, "output"),
            nodes,
            events.Select(Entry).ToList(),
            new RunTotals(
                usage.GetProperty("input_tokens").GetInt64(),
                usage.GetProperty("output_tokens").GetInt64(),
                usage.GetProperty("cost_usd").GetDecimal(),
                (long)(ended - created).TotalMilliseconds))
        {
            Input = run.TryGetProperty("input", out var input) && input.ValueKind != JsonValueKind.Undefined ? input.GetRawText() : null,
        };
    }

    private static ObservedEvent Entry(JsonElement e)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in d.EnumerateObject())
            {
                data[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }

        return new ObservedEvent(
            e.GetProperty("type").GetString()!,
            Text(e, "node_id"),
            e.TryGetProperty("attempt", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetInt64() : null,
            data);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
