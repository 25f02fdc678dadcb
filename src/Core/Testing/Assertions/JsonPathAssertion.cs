using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Warden.Core.Testing.Assertions;

/// <summary>
/// <c>json_path: a.b.0.c</c> with <c>equals: value</c> or <c>exists: true|false</c>: the output parsed as JSON,
/// walked by a dotted path (a leading <c>$.</c> is allowed; numeric segments index arrays). Equality is JSON
/// equality, so <c>equals: 3</c> matches 3 and 3.0 but not "3".
/// </summary>
public sealed record JsonPathAssertion(string Path, JsonNode? Expected, bool? Exists, string? Node) : Assertion("json_path", Node)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        var text = Subject(run);
        var wanted = Exists is { } e ? (e ? $"{Path} exists" : $"{Path} does not exist") : $"{Path} == {Format(Expected)}";
        if (!JsonOutput.TryParse(text, out var root))
        {
            return Result(Exists == false, wanted, $"output is not JSON: {Show(text, 80)}");
        }

        var found = Walk(root, Path, out var value);
        if (Exists is { } exists)
        {
            return Result(found == exists, wanted, found ? $"{Path} = {Format(value)}" : $"{Path} is missing");
        }

        return Result(found && JsonNode.DeepEquals(value, Expected), wanted, found ? Format(value) : $"{Path} is missing");
    }

    public static bool Walk(JsonNode? root, string path, out JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(path);
        value = root;
        var trimmed = path == "$" ? string.Empty : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
        if (trimmed.Length == 0)
        {
            return true;
        }

        foreach (var segment in trimmed.Split('.'))
        {
            switch (value)
            {
                case JsonObject obj when obj.TryGetPropertyValue(segment, out var child):
                    value = child;
                    break;
                case JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count:
                    value = array[index];
                    break;
                default:
                    value = null;
                    return false;
            }
        }

        return true;
    }

    private static string Format(JsonNode? node) => node is null ? "null" : node.ToJsonString();
}

/// <summary>Reads an output as JSON; an output that is not JSON is reported, not thrown.</summary>
internal static class JsonOutput
{
    public static bool TryParse(string? text, out JsonNode? root)
    {
        root = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        try
        {
            root = JsonNode.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
