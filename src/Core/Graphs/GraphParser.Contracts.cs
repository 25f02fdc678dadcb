using Warden.Core.Contracts;
using Warden.Core.Testing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Warden.Core.Graphs;

/// <summary>
/// Node contracts: <c>contract: {...}</c> on a node, <c>contract: name</c> for one of the graph's <c>contracts:</c>,
/// or <c>contract: ./file.yaml</c>, which the CLI inlines (see <see cref="ContractReferences"/>) before upload.
/// </summary>
public sealed partial class GraphParser
{
    private static readonly HashSet<string> ContractKeys = ["name", "description", "input_schema", "output_schema", "max_output_tokens", "citations", "forbidden"];
    private static readonly HashSet<string> CitationKeys = ["required", "min", "pattern"];

    private readonly Dictionary<string, NodeContract> _contracts = new(StringComparer.Ordinal);

    /// <summary>Parses a contract file on its own (its lines are the file's); throws <see cref="GraphValidationException"/>.</summary>
    /// <param name="name">Its name when the file does not give one (the file's name without extension).</param>
    public static NodeContract ParseContract(string text, string name)
    {
        var parser = new GraphParser();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new GraphValidationException([new GraphError("$", $"not valid YAML or JSON: {StripMark(ex.InnerException?.Message ?? ex.Message)}", (int)ex.Start.Line, (int)ex.Start.Column)]);
        }

        var contract = stream.Documents.Count == 0
            ? null
            : parser.ParseContractBody(stream.Documents[0].RootNode, "$", null, name);
        if (parser._errors.Count > 0 || contract is null)
        {
            throw new GraphValidationException(parser._errors.Count > 0 ? parser._errors : [new GraphError("$", "the contract file is empty")]);
        }

        return contract;
    }

    /// <summary>Whether a node's <c>contract:</c> text names a file rather than one of the graph's contracts.</summary>
    public static bool IsContractFile(string reference) =>
        reference.Contains('/', StringComparison.Ordinal) || reference.Contains('\\', StringComparison.Ordinal)
        || reference.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || reference.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
        || reference.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    private void ParseContractMap(YamlNode? node)
    {
        if (node is null)
        {
            return;
        }

        if (node is not YamlMappingNode map)
        {
            Error("$.contracts", node, "contracts must be a mapping from a contract name to its rules");
            return;
        }

        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { } name } || !Slug().IsMatch(name))
            {
                Error("$.contracts", key, "a contract name must be lower-case letters, digits, '-' or '_'");
                continue;
            }

            if (ParseContractBody(value, $"$.contracts.{name}", name, null) is { } contract)
            {
                _contracts[name] = contract;
            }
        }
    }

    private NodeContract? ParseNodeContract(YamlNode? node, string path, string nodeId, NodeKind kind)
    {
        if (node is null)
        {
            return null;
        }

        if (kind == NodeKind.Approval)
        {
            Error(path, node, $"approval node '{nodeId}' produces no output to hold to a contract; put the contract on an agent or tool node");
            return null;
        }

        if (node is not YamlScalarNode { Value: { } reference })
        {
            return ParseContractBody(node, path, null, null);
        }

        if (_contracts.TryGetValue(reference, out var named))
        {
            return named;
        }

        Error(path, node, IsContractFile(reference)
            ? $"contract file '{reference}' is not inlined: `warden run` and `warden test` inline contract files when they read the graph from disk; over the API, inline the contract or define it under contracts:"
            : _contracts.Count == 0
                ? $"unknown contract '{reference}'; define it under the graph's contracts: or write the contract inline"
                : $"unknown contract '{reference}'; the graph's contracts are {string.Join(", ", _contracts.Keys)}");
        return null;
    }

    /// <param name="key">The contract's key under <c>contracts:</c>, which names it; otherwise its own <c>name</c>, then <paramref name="fallback"/>.</param>
    private NodeContract? ParseContractBody(YamlNode node, string path, string? key, string? fallback)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, "a contract is a mapping of input_schema, output_schema, max_output_tokens, citations and forbidden");
            return null;
        }

        var before = _errors.Count;
        CheckKeys(map, path, ContractKeys);
        var contract = new NodeContract(
            key ?? OptionalString(map, "name", path + ".name") ?? fallback,
            ContractSchema(Child(map, "input_schema"), path + ".input_schema"),
            ContractSchema(Child(map, "output_schema"), path + ".output_schema"),
            OptionalNumber(map, "max_output_tokens", path + ".max_output_tokens", 1L, 10_000_000L, "a whole number"),
            Citations(Child(map, "citations"), path + ".citations"),
            Forbidden(Child(map, "forbidden"), path + ".forbidden"));
        if (_errors.Count == before && contract is { InputSchema: null, OutputSchema: null, MaxOutputTokens: null, Citations: null, Forbidden: null })
        {
            Error(path, map, "a contract needs at least one rule: input_schema, output_schema, max_output_tokens, citations or forbidden");
        }

        return _errors.Count == before ? contract : null;
    }

    private string? ContractSchema(YamlNode? node, string path)
    {
        string text;
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode { Value: { } raw } when raw.TrimStart().StartsWith('{'):
                text = raw;
                break;
            case YamlMappingNode or YamlScalarNode { Value: "true" or "false" }:
                text = YamlJson.ToJson(node)?.ToJsonString() ?? "true";
                break;
            default:
                Error(path, node, "a schema is a JSON Schema mapping (or its JSON text)");
                return null;
        }

        if (!JsonSchemas.TryBuild(text, out _, out var error))
        {
            Error(path, node, error!);
            return null;
        }

        return text;
    }

    private CitationRule? Citations(YamlNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, "citations must be a mapping of required, min and pattern");
            return null;
        }

        CheckKeys(map, path, CitationKeys);
        var required = Child(map, "required") is { } r
            ? r is YamlScalarNode { Value: "true" or "false" } flag ? flag.Value == "true" : Invalid(r)
            : true;
        var min = OptionalInt(map, "min", path + ".min", 1, 1000) ?? 1;
        var pattern = OptionalString(map, "pattern", path + ".pattern") ?? CitationRule.DefaultPattern;
        if (!SafeRegex.TryCreate(pattern, out _, out var error))
        {
            Error(path + ".pattern", Child(map, "pattern"), error!);
            return null;
        }

        return required ? new CitationRule(min, pattern) : null;

        bool Invalid(YamlNode at)
        {
            Error(path + ".required", at, "required must be true or false");
            return false;
        }
    }

    private List<string>? Forbidden(YamlNode? node, string path)
    {
        IReadOnlyList<YamlNode> items;
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode:
                items = [node];
                break;
            case YamlSequenceNode { Children.Count: > 0 } seq:
                items = [.. seq.Children];
                break;
            default:
                Error(path, node, "forbidden must be a pattern or a list of patterns");
                return null;
        }

        var patterns = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var at = node is YamlSequenceNode ? $"{path}[{i}]" : path;
            if (items[i] is not YamlScalarNode { Value: { Length: > 0 } pattern })
            {
                Error(at, items[i], "a forbidden pattern must be a non-empty string");
            }
            else if (!SafeRegex.TryCreate(pattern, out _, out var error))
            {
                Error(at, items[i], error!);
            }
            else
            {
                patterns.Add(pattern);
            }
        }

        return patterns;
    }
}
