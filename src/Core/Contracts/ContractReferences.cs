using System.Text.Json.Nodes;
using Warden.Core.Graphs;
using Warden.Core.Serialization;
using Warden.Core.Testing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Warden.Core.Contracts;

/// <summary>
/// Inlines contract files: each node's <c>contract: ./contracts/planner.yaml</c> becomes the file's contract as a
/// one-line JSON mapping in place, so the uploaded graph version is self-contained (a later edit of the file makes a
/// new version) and every other line of the graph, with its comments, stays where it was.
/// </summary>
public static class ContractReferences
{
    /// <param name="readFile">Reads a referenced file (the caller resolves it against the graph's folder).</param>
    /// <exception cref="ContractFileException">A referenced file is missing or is not a valid contract.</exception>
    public static string Inline(string graphText, Func<string, string> readFile)
    {
        ArgumentNullException.ThrowIfNull(graphText);
        ArgumentNullException.ThrowIfNull(readFile);
        var references = Find(graphText);
        if (references.Count == 0)
        {
            return graphText;
        }

        var text = graphText;
        foreach (var (start, end, reference) in references.OrderByDescending(r => r.Start))
        {
            var replacement = Load(reference, readFile);
            var lineEnd = text.IndexOf('\n', end) is var n and >= 0 ? n : text.Length;
            var restOfLine = text[end..lineEnd];
            var note = string.IsNullOrWhiteSpace(restOfLine) ? $" # inlined from {reference}" : string.Empty;
            text = string.Concat(text.AsSpan(0, start), replacement, note, text.AsSpan(end));
        }

        return text;
    }

    private static string Load(string reference, Func<string, string> readFile)
    {
        string source;
        try
        {
            source = readFile(reference);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ContractFileException(reference, $"cannot read contract file '{reference}': {ex.Message}", ex);
        }

        var name = Path.GetFileNameWithoutExtension(reference);
        try
        {
            GraphParser.ParseContract(source, name);
        }
        catch (GraphValidationException ex)
        {
            throw new ContractFileException(reference, $"contract file '{reference}': {ex.Errors[0]}{(ex.Errors.Count > 1 ? $" (and {ex.Errors.Count - 1} more)" : string.Empty)}", ex);
        }

        var stream = new YamlStream();
        stream.Load(new StringReader(source));
        var json = (JsonObject)YamlJson.ToJson(stream.Documents[0].RootNode)!;
        json["name"] ??= name;
        return json.ToJsonString();
    }

    private static List<(int Start, int End, string Reference)> Find(string graphText)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(graphText));
        }
        catch (YamlException)
        {
            return []; // the graph parser reports it, with its line
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return [];
        }

        IEnumerable<YamlNode> nodes = YamlFields.Child(root, "nodes") switch
        {
            YamlSequenceNode seq => seq.Children,
            YamlMappingNode map => map.Children.Values,
            _ => [],
        };
        return nodes
            .OfType<YamlMappingNode>()
            .Select(n => YamlFields.Child(n, "contract"))
            .OfType<YamlScalarNode>()
            .Where(s => s.Value is { } v && GraphParser.IsContractFile(v))
            .Select(s => ((int)s.Start.Index, (int)s.End.Index, s.Value!))
            .ToList();
    }
}

/// <summary>A contract file a graph names is missing or invalid; the message names the file and, when known, the line.</summary>
public sealed class ContractFileException : Exception
{
    public ContractFileException(string reference, string message, Exception inner)
        : base(message, inner)
    {
        Reference = reference;
    }

    public ContractFileException()
    {
        Reference = string.Empty;
    }

    public ContractFileException(string message)
        : base(message)
    {
        Reference = string.Empty;
    }

    public ContractFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reference = string.Empty;
    }

    public string Reference { get; }
}
