using System.Text.Json;
using System.Text.Json.Nodes;

namespace Warden.Core.Contracts;

/// <summary>
/// How a node's text is read as JSON for a schema: text that parses as JSON is that JSON; any other text (what most
/// agents reply) is a JSON string. So <c>{type: object, required: [verdict]}</c> demands a JSON reply, and
/// <c>{type: string, minLength: 40}</c> constrains a prose one.
/// </summary>
public static class ContractValues
{
    public static JsonNode? ToJson(string text)
    {
        using var document = ToDocument(text);
        return JsonNode.Parse(document.RootElement.GetRawText());
    }

    /// <summary>The text as a JSON document by the rule above; the caller disposes it.</summary>
    public static JsonDocument ToDocument(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (LooksLikeJson(text))
        {
            try
            {
                return JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                // Prose that happens to start like JSON: it is checked as a string.
            }
        }

        return JsonSerializer.SerializeToDocument(text);
    }

    /// <summary>Skips the parse (and its exception) for text that cannot be JSON, which is most prose.</summary>
    private static bool LooksLikeJson(string text)
    {
        var trimmed = text.AsSpan().Trim();
        return trimmed.Length > 0 && (trimmed[0] is '{' or '[' or '"' or '-' or 't' or 'f' or 'n' || char.IsAsciiDigit(trimmed[0]));
    }
}

/// <summary>
/// What a node's input is, for its contract's <c>input_schema</c>: the run input for an entry node; the output of
/// its one upstream node; or, with several upstream nodes, an object keyed by their ids. Upstream outputs are read
/// as <see cref="ContractValues"/>.
/// </summary>
public static class ContractInput
{
    public static string For(string runInput, IReadOnlyList<(string NodeId, string Output)> upstream)
    {
        ArgumentNullException.ThrowIfNull(runInput);
        ArgumentNullException.ThrowIfNull(upstream);
        return upstream.Count switch
        {
            0 => string.IsNullOrWhiteSpace(runInput) ? "{}" : runInput,
            1 => ContractValues.ToJson(upstream[0].Output)?.ToJsonString() ?? "null",
            _ => new JsonObject(upstream.DistinctBy(u => u.NodeId).Select(u => KeyValuePair.Create(u.NodeId, ContractValues.ToJson(u.Output)))).ToJsonString(),
        };
    }
}
