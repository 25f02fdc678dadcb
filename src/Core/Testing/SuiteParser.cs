using System.Globalization;
using System.Text.Json.Nodes;
using Warden.Core.Testing.Assertions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Warden.Core.Serialization;

namespace Warden.Core.Testing;

/// <summary>
/// Reads a suite from YAML (or JSON, a subset of YAML) keeping line and column of every node, the way
/// <see cref="Graphs.GraphParser"/> does, so each error points at the place to fix. Collects every error, then
/// throws one <see cref="SuiteValidationException"/>.
/// </summary>
public sealed partial class SuiteParser
{
    private static readonly HashSet<string> TopKeys = ["name", "description", "graph", "defaults", "cases"];
    private static readonly HashSet<string> GraphKeys = ["id", "version", "file"];
    private static readonly HashSet<string> DefaultKeys = ["input", "seed", "approve", "assert"];
    private static readonly HashSet<string> CaseKeys = ["name", "input", "seed", "approve", "mock", "chaos", "recording", "on_miss", "assert"];
    private static readonly HashSet<string> MockKeys = ["latency_ms", "fail_first_attempts", "error_rate", "response"];

    private readonly List<SuiteError> _errors = [];

    private SuiteParser()
    {
    }

    /// <summary>Parses and validates; throws <see cref="SuiteValidationException"/> listing every problem.</summary>
    public static SuiteDefinition Parse(string text)
    {
        var parser = new SuiteParser();
        var suite = parser.ParseDocument(text);
        if (parser._errors.Count > 0 || suite is null)
        {
            throw new SuiteValidationException(parser._errors.Count > 0 ? parser._errors : [new SuiteError("$", "empty suite")]);
        }

        return suite;
    }

    private void Error(string path, YamlNode? node, string message) =>
        _errors.Add(node is null ? new SuiteError(path, message) : new SuiteError(path, message, (int)node.Start.Line, (int)node.Start.Column));

    private SuiteDefinition? ParseDocument(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            _errors.Add(new SuiteError("$", "the suite document is empty"));
            return null;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            var reason = ex.InnerException?.Message ?? ex.Message;
            var idx = reason.IndexOf("): ", StringComparison.Ordinal);
            reason = reason.StartsWith('(') && idx > 0 ? reason[(idx + 3)..] : reason;
            _errors.Add(new SuiteError("$", $"not valid YAML or JSON: {reason}", (int)ex.Start.Line, (int)ex.Start.Column));
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            _errors.Add(new SuiteError("$", "the suite must be a mapping with name, graph and cases"));
            return null;
        }

        CheckKeys(root, "$", TopKeys);
        var name = RequiredString(root, "name", "$") ?? string.Empty;
        var description = Child(root, "description") is YamlScalarNode d ? d.Value : null;
        var graph = ParseGraph(root);
        var defaults = ParseDefaults(Child(root, "defaults"));
        var cases = new List<SuiteCase>();
        switch (Child(root, "cases"))
        {
            case null:
                Error("$.cases", root, "cases is required: a list of cases, each with name, input and assert");
                break;
            case YamlSequenceNode { Children.Count: 0 } empty:
                Error("$.cases", empty, "cases is empty; add at least one case");
                break;
            case YamlSequenceNode seq:
                var names = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    if (ParseCase(seq.Children[i], $"$.cases[{i}]", defaults) is { } c)
                    {
                        if (!names.Add(c.Name))
                        {
                            Error($"$.cases[{i}].name", seq.Children[i], $"duplicate case name '{c.Name}'");
                        }

                        cases.Add(c);
                    }
                }

                break;
            case var other:
                Error("$.cases", other, "cases must be a list");
                break;
        }

        return new SuiteDefinition(name, graph, cases, description);
    }

    private SuiteGraph ParseGraph(YamlMappingNode root)
    {
        switch (Child(root, "graph"))
        {
            case null:
                Error("$.graph", root, "graph is required: an uploaded graph's id ({id, version}) or {file: path/to/graph.yaml}");
                return new SuiteGraph(null, null, null);
            case YamlScalarNode scalar:
                return new SuiteGraph(scalar.Value, null, null);
            case YamlMappingNode map:
                CheckKeys(map, "$.graph", GraphKeys);
                var id = Child(map, "id") is YamlScalarNode i ? i.Value : null;
                var file = Child(map, "file") is YamlScalarNode f ? f.Value : null;
                var version = OptionalLong(map, "version", "$.graph.version", 1);
                if ((id is null) == (file is null))
                {
                    Error("$.graph", map, "graph needs exactly one of id or file");
                }
                else if (file is not null && version is not null)
                {
                    Error("$.graph.version", Child(map, "version"), "version applies to an uploaded graph id, not to a file");
                }

                return new SuiteGraph(id, version, file);
            case var other:
                Error("$.graph", other, "graph must be a graph id or a mapping of id/version or file");
                return new SuiteGraph(null, null, null);
        }
    }

    private sealed record Defaults(YamlNode? Input, long? Seed, ApprovalMode Approve, IReadOnlyList<Assertion> Assertions);

    private Defaults ParseDefaults(YamlNode? node)
    {
        if (node is null)
        {
            return new Defaults(null, null, ApprovalMode.Wait, []);
        }

        if (node is not YamlMappingNode map)
        {
            Error("$.defaults", node, "defaults must be a mapping of input, seed, approve and assert");
            return new Defaults(null, null, ApprovalMode.Wait, []);
        }

        CheckKeys(map, "$.defaults", DefaultKeys);
        return new Defaults(
            Child(map, "input"),
            OptionalLong(map, "seed", "$.defaults.seed", long.MinValue),
            ParseApprove(map, "$.defaults", ApprovalMode.Wait),
            ParseAssertions(Child(map, "assert"), "$.defaults.assert", required: false));
    }

    private SuiteCase? ParseCase(YamlNode node, string path, Defaults defaults)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, "a case must be a mapping with name, input and assert");
            return null;
        }

        CheckKeys(map, path, CaseKeys);
        var name = RequiredString(map, "name", path) ?? string.Empty;
        var inputNode = Child(map, "input") ?? defaults.Input;
        string input = "{}";
        if (inputNode is not null)
        {
            input = YamlJson.ToJson(inputNode)?.ToJsonString() ?? "null";
        }

        var seed = OptionalLong(map, "seed", $"{path}.seed", long.MinValue) ?? defaults.Seed;
        var approve = ParseApprove(map, path, defaults.Approve);
        var own = ParseAssertions(Child(map, "assert"), $"{path}.assert", required: defaults.Assertions.Count == 0);
        var options = new JsonObject();
        if (ParseMock(Child(map, "mock"), $"{path}.mock") is { } mock)
        {
            options["mock"] = mock;
        }

        if (ParseChaos(Child(map, "chaos"), $"{path}.chaos") is { } chaos)
        {
            options["chaos"] = chaos;
        }

        if (ParseRecording(map, path, ownInput: inputNode is not null, ownSeed: seed is not null) is { } recording)
        {
            options["recording"] = recording;
        }

        return new SuiteCase(name, input, seed, approve, [.. defaults.Assertions, .. own], (int)map.Start.Line, options.Count > 0 ? options.ToJsonString() : null);
    }

    /// <summary>
    /// <c>recording: runs/prod.json</c> (relative to the suite file) and <c>on_miss: fail|call</c> (default fail, so CI needs no
    /// provider key): the case replays the recording against the suite's graph, with the recording's input and seed unless
    /// the case gives its own. Kept as <c>{file, on_miss, case_input, case_seed}</c>; the runner that reads files uploads it.
    /// </summary>
    private JsonObject? ParseRecording(YamlMappingNode map, string path, bool ownInput, bool ownSeed)
    {
        var onMiss = Child(map, "on_miss");
        if (Child(map, "recording") is not { } node)
        {
            if (onMiss is not null)
            {
                Error($"{path}.on_miss", onMiss, "on_miss needs a recording to replay");
            }

            return null;
        }

        if (node is not YamlScalarNode { Value: { Length: > 0 } file })
        {
            Error($"{path}.recording", node, "recording must be the path of a recording file (warden runs export), relative to the suite");
            return null;
        }

        var policy = onMiss is null ? "fail" : (onMiss as YamlScalarNode)?.Value;
        if (policy is not ("fail" or "call"))
        {
            Error($"{path}.on_miss", onMiss!, "on_miss must be fail or call");
        }

        return new JsonObject { ["file"] = file, ["on_miss"] = policy, ["case_input"] = ownInput, ["case_seed"] = ownSeed };
    }

    /// <summary>Per-node overrides of the graph's mock settings: <c>mock: {planner: {response: "...", fail_first_attempts: 1}}</c>.</summary>
    private JsonObject? ParseMock(YamlNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not YamlMappingNode map || map.Children.Count == 0)
        {
            Error(path, node, "mock must be a mapping of node id -> {latency_ms, fail_first_attempts, error_rate, response}");
            return null;
        }

        var result = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            var nodeId = (key as YamlScalarNode)?.Value ?? string.Empty;
            var nodePath = $"{path}.{nodeId}";
            if (value is not YamlMappingNode settings)
            {
                Error(nodePath, value, "a node's mock must be a mapping of latency_ms, fail_first_attempts, error_rate, response");
                continue;
            }

            CheckKeys(settings, nodePath, MockKeys);
            CheckNumber(settings, "latency_ms", nodePath, 0, 600_000, whole: true);
            CheckNumber(settings, "fail_first_attempts", nodePath, 0, 100, whole: true);
            CheckNumber(settings, "error_rate", nodePath, 0, 1, whole: false);
            var json = Json(settings)!.AsObject();
            switch (Child(settings, "response"))
            {
                case YamlScalarNode reply:
                    json["response"] = reply.Value ?? string.Empty; // text even when it looks like a number
                    break;
                case { } other:
                    Error($"{nodePath}.response", other, "response must be text");
                    break;
            }

            result[nodeId] = json;
        }

        return result;
    }

    private void CheckNumber(YamlMappingNode map, string key, string path, double min, double max, bool whole)
    {
        if (Child(map, key) is not { } node)
        {
            return;
        }

        if (node is YamlScalarNode { Value: { } text }
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max && (!whole || value == Math.Floor(value)))
        {
            return;
        }

        Error($"{path}.{key}", node, $"{key} must be a {(whole ? "whole number" : "number")} from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
    }

    private ApprovalMode ParseApprove(YamlMappingNode map, string path, ApprovalMode fallback) =>
        Child(map, "approve") switch
        {
            null => fallback,
            YamlScalarNode { Value: "true" } => ApprovalMode.Approve,
            YamlScalarNode { Value: "false" } => ApprovalMode.Wait,
            YamlScalarNode { Value: "reject" } => ApprovalMode.Reject,
            var other => Invalid(other),
        };

    private ApprovalMode Invalid(YamlNode node)
    {
        Error("approve", node, "approve must be true (approve every gate), false (leave it waiting) or reject");
        return ApprovalMode.Wait;
    }

    private static YamlNode? Child(YamlMappingNode map, string key) => YamlFields.Child(map, key);

    private void CheckKeys(YamlMappingNode map, string path, HashSet<string> allowed)
    {
        foreach (var (key, name) in YamlFields.Unknown(map, allowed))
        {
            Error($"{path}.{name}", key, $"unknown field '{name}'; expected one of {string.Join(", ", allowed)}");
        }
    }

    private string? RequiredString(YamlMappingNode map, string key, string path)
    {
        switch (Child(map, key))
        {
            case YamlScalarNode { Value: { Length: > 0 } value }:
                return value;
            case null:
                Error($"{path}.{key}", map, $"{key} is required");
                return null;
            case var other:
                Error($"{path}.{key}", other, $"{key} must be a string");
                return null;
        }
    }

    private long? OptionalLong(YamlMappingNode map, string key, string path, long min)
    {
        var node = Child(map, key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min)
        {
            return value;
        }

        Error(path, node, min == long.MinValue ? $"{key} must be a whole number" : $"{key} must be a whole number ≥ {min}");
        return null;
    }

    private static JsonNode? Json(YamlNode node) => YamlJson.ToJson(node);
}
