using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Warden.Core.Graphs;

/// <summary>
/// Prompt templates read the run input and upstream outputs: <c>{{input}}</c>, <c>{{input.topic}}</c>,
/// <c>{{nodes.planner.output}}</c>, <c>{{upstream}}</c> (every direct predecessor's output) and <c>{{run.id}}</c>.
/// </summary>
public static partial class PromptTemplate
{
    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    /// <summary>Placeholders in the template, for validation.</summary>
    public static IEnumerable<string> References(string template) =>
        Placeholder().Matches(template).Select(m => m.Groups[1].Value);

    /// <summary>Returns null when the reference is well formed, otherwise why it is not.</summary>
    public static string? CheckReference(string reference, Func<string, bool> nodeExists)
    {
        if (reference is "input" or "upstream" or "run.id" || reference.StartsWith("input.", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = reference.Split('.');
        if (parts.Length == 3 && parts[0] == "nodes" && parts[2] == "output")
        {
            return nodeExists(parts[1]) ? null : $"prompt refers to unknown node '{parts[1]}'";
        }

        return $"unknown placeholder '{{{{{reference}}}}}'; use input, input.<field>, nodes.<id>.output, upstream or run.id";
    }

    public static string Render(string template, string runId, string inputJson, IReadOnlyList<(string NodeId, string Output)> upstream, Func<string, string?> nodeOutput)
    {
        JsonDocument? input = null;
        try
        {
            return Placeholder().Replace(template, m => Resolve(m.Groups[1].Value));
        }
        finally
        {
            input?.Dispose();
        }

        string Resolve(string reference)
        {
            if (reference == "run.id")
            {
                return runId;
            }

            if (reference == "upstream")
            {
                var sb = new StringBuilder();
                foreach (var (id, output) in upstream)
                {
                    sb.Append("## ").Append(id).Append('\n').Append(output).Append("\n\n");
                }

                return sb.ToString().TrimEnd();
            }

            if (reference.StartsWith("nodes.", StringComparison.Ordinal))
            {
                return nodeOutput(reference.Split('.')[1]) ?? string.Empty;
            }

            input ??= ParseInput(inputJson);
            var element = input.RootElement;
            foreach (var segment in reference.Split('.').Skip(1))
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
                {
                    return string.Empty;
                }
            }

            return element.ValueKind == JsonValueKind.String ? element.GetString() ?? string.Empty : element.GetRawText();
        }
    }

    private static JsonDocument ParseInput(string inputJson)
    {
        try
        {
            return JsonDocument.Parse(string.IsNullOrWhiteSpace(inputJson) ? "null" : inputJson);
        }
        catch (JsonException)
        {
            return JsonDocument.Parse(JsonSerializer.Serialize(inputJson));
        }
    }
}
