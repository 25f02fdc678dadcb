using System.Globalization;
using System.Text.RegularExpressions;
using Json.Schema;
using Warden.Core.Contracts;
using Warden.Core.Graphs;
using Warden.Core.Testing.Assertions;
using YamlDotNet.RepresentationModel;

namespace Warden.Core.Testing;

public sealed partial class SuiteParser
{
    /// <summary>Each assertion kind with the modifiers it accepts beside it.</summary>
    private static readonly Dictionary<string, HashSet<string>> Kinds = new(StringComparer.Ordinal)
    {
        ["status"] = ["error_code"],
        ["error_code"] = [],
        ["equals"] = ["node"],
        ["contains"] = ["node"],
        ["not_contains"] = ["node"],
        ["regex"] = ["node"],
        ["json_path"] = ["node", "equals", "exists"],
        ["json_schema"] = ["node"],
        ["similar_to"] = ["node", "threshold"],
        ["visited"] = [],
        ["not_visited"] = [],
        ["order"] = [],
        ["visits"] = ["node"],
        ["approval_requested"] = ["node"],
        ["max_retries"] = ["node"],
        ["provider"] = ["node"],
        ["max_tokens"] = [],
        ["max_cost_usd"] = [],
        ["max_duration"] = [],
        ["max_provider_calls"] = [],
        ["no_pii"] = ["node"],
        ["redacted"] = ["node"],
        ["injection_blocked"] = ["node"],
        ["contract"] = ["max_violations"],
        ["contracts"] = ["max_violations"],
        ["tool_called"] = ["node"],
        ["tool_not_called"] = ["node"],
        ["policy"] = ["node"],
        ["judge"] = ["node"],
    };

    private static readonly HashSet<string> ToolKeys = ["tool", "args"];
    private static readonly HashSet<string> PolicyKeys = ["tool", "decision"];
    private static readonly HashSet<string> JudgeKeys = ["rubric", "min_score", "node", "provider", "model"];

    private static readonly HashSet<string> Modifiers = ["node", "error_code", "equals", "exists", "threshold", "max_violations"];

    private List<Assertion> ParseAssertions(YamlNode? node, string path, bool required)
    {
        var list = new List<Assertion>();
        switch (node)
        {
            case null when required:
                Error(path, null, "assert is required: a list of assertions");
                break;
            case null:
                break;
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    if (ParseAssertion(seq.Children[i], $"{path}[{i}]") is { } a)
                    {
                        list.Add(a with { Line = (int)seq.Children[i].Start.Line });
                    }
                }

                break;
            default:
                Error(path, node, "assert must be a list of assertions");
                break;
        }

        return list;
    }

    private Assertion? ParseAssertion(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map || map.Children.Count == 0)
        {
            Error(path, node, "an assertion must be a mapping such as {status: completed} or {contains: text, node: coder}");
            return null;
        }

        var keys = map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty).ToList();
        var primary = keys.Where(k => Kinds.ContainsKey(k)).ToList();
        if (primary.Contains("json_path"))
        {
            primary.Remove("equals");
        }

        if (primary.Contains("status"))
        {
            primary.Remove("error_code");
        }

        if (primary.Count == 0)
        {
            var first = map.Children.Keys.First(k => !Modifiers.Contains((k as YamlScalarNode)?.Value ?? string.Empty));
            var name = (first as YamlScalarNode)?.Value ?? "?";
            Error($"{path}.{name}", first, $"unknown assertion kind '{name}'; expected one of {string.Join(", ", Kinds.Keys)}");
            return null;
        }

        if (primary.Count > 1)
        {
            Error(path, map, $"one kind per assertion, found {string.Join(" and ", primary)}; split them into separate list items");
            return null;
        }

        var kind = primary[0];
        foreach (var (key, _) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "?";
            if (name != kind && !Kinds[kind].Contains(name))
            {
                Error($"{path}.{name}", key, Kinds[kind].Count == 0 ? $"'{name}' does not apply to {kind}" : $"'{name}' does not apply to {kind}; it takes {string.Join(", ", Kinds[kind])}");
            }
        }

        var value = map.Children[new YamlScalarNode(kind)];
        var target = Child(map, "node") is YamlScalarNode n ? n.Value : null;
        var at = $"{path}.{kind}";
        return kind switch
        {
            "status" => Status(value, at) is { } s ? new StatusAssertion(s, Child(map, "error_code") is YamlScalarNode c ? c.Value : null) : null,
            "error_code" => Text(value, at) is { } code ? new StatusAssertion(null, code) : null,
            "equals" or "contains" or "not_contains" => Text(value, at) is { } t ? new TextAssertion(kind, t, target) : null,
            "regex" => Regex(value, at) is { } r ? new RegexAssertion(r, target) : null,
            "json_path" => JsonPath(map, value, at, target),
            "json_schema" => Schema(value, at) is { } schema ? new JsonSchemaAssertion(schema.Schema, schema.Text, target) : null,
            "similar_to" => Text(value, at) is { } like ? new SimilarityAssertion(like, Threshold(map, $"{path}.threshold"), target) : null,
            "visited" or "not_visited" => Names(value, at) is { } names ? new VisitedAssertion(names, kind == "visited") : null,
            "order" => Names(value, at) is { Count: > 0 } order ? new OrderAssertion(order) : null,
            "visits" when target is null => Missing(map, path, "visits needs node: the node whose completed visits are counted"),
            "visits" => Number(value, at, 0m) is { } count ? new VisitCountAssertion(target!, (long)count) : null,
            "approval_requested" or "redacted" or "injection_blocked" => Bool(value, at) is { } b
                ? kind == "approval_requested" ? new ApprovalRequestedAssertion(b, target) : new GovernanceEventAssertion(kind, b, target)
                : null,
            "no_pii" => Bool(value, at) is true ? new NoPiiAssertion(target) : Missing(value, at, "no_pii takes true"),
            "max_retries" => Number(value, at, 0m) is { } retries ? new MaxRetriesAssertion((long)retries, target) : null,
            "contract" => Text(value, at) is { } owner ? new ContractAssertion(owner, MaxViolations(map, path)) : null,
            "contracts" => value is YamlScalarNode { Value: "hold" } ? new ContractAssertion(null, MaxViolations(map, path)) : Missing(value, at, "contracts takes hold (every node's contract holds); for one node write contract: <node id>"),
            "provider" => Text(value, at) is { } provider ? new ProviderUsedAssertion(provider, target) : null,
            "max_tokens" => Number(value, at, 0m) is { } tokens ? new BudgetAssertion(kind, BudgetMeasure.Tokens, tokens) : null,
            "max_cost_usd" => Number(value, at, 0m) is { } cost ? new BudgetAssertion(kind, BudgetMeasure.CostUsd, cost) : null,
            "max_provider_calls" => Number(value, at, 0m) is { } calls ? new BudgetAssertion(kind, BudgetMeasure.ProviderCalls, calls) : null,
            "tool_called" or "tool_not_called" => ToolCall(value, at, kind == "tool_called", target),
            "policy" => Policy(value, at, target),
            "judge" => Judge(value, at, target),
            _ => Duration(value, at) is { } ms ? new BudgetAssertion(kind, BudgetMeasure.DurationMs, ms) : null,
        };
    }

    /// <summary><c>tool_called: name</c> or <c>{tool: name, args: {...}}</c> (args: a mapping matched as a JSON subset, or text the input contains).</summary>
    private ToolCalledAssertion? ToolCall(YamlNode value, string path, bool expected, string? target)
    {
        if (value is YamlScalarNode)
        {
            return ToolName(value, path) is { } name ? new ToolCalledAssertion(name, null, expected, target) : null;
        }

        if (value is not YamlMappingNode map)
        {
            Error(path, value, "expected a tool name or {tool: name, args: {...}}");
            return null;
        }

        CheckKeys(map, path, ToolKeys);
        var tool = Child(map, "tool") is { } t ? ToolName(t, $"{path}.tool") : NoText(map, path, "tool is required: the tool's name (or a pattern such as crm.*)");
        var args = Child(map, "args");
        if (args is YamlSequenceNode)
        {
            Error($"{path}.args", args, "args must be a mapping of expected arguments (matched as a JSON subset) or a text the input contains");
            return null;
        }

        return tool is null ? null : new ToolCalledAssertion(tool, args is null ? null : Json(args), expected, target);
    }

    /// <summary><c>policy: {tool: name, decision: allow|deny|approval}</c>.</summary>
    private PolicyDecisionAssertion? Policy(YamlNode value, string path, string? target)
    {
        if (value is not YamlMappingNode map)
        {
            Error(path, value, "policy must be a mapping {tool: name, decision: allow|deny|approval}");
            return null;
        }

        CheckKeys(map, path, PolicyKeys);
        var tool = Child(map, "tool") is { } t ? ToolName(t, $"{path}.tool") : NoText(map, path, "tool is required: the tool whose policy decision is checked");
        string? decision = null;
        switch (Child(map, "decision"))
        {
            case null:
                Error(path, map, "decision is required: allow, deny or approval");
                break;
            case YamlScalarNode { Value: "require_approval" }:
                decision = "approval";
                break;
            case YamlScalarNode { Value: { } d } when PolicyDecisionAssertion.Known.Contains(d):
                decision = d;
                break;
            case var other:
                Error($"{path}.decision", other, $"unknown decision '{(other as YamlScalarNode)?.Value}'; expected allow, deny or approval");
                break;
        }

        return tool is null || decision is null ? null : new PolicyDecisionAssertion(tool, decision, target);
    }

    /// <summary><c>judge: {rubric, min_score?, node?, provider?, model?}</c>, or just the rubric text.</summary>
    private JudgeAssertion? Judge(YamlNode value, string path, string? target)
    {
        if (value is YamlScalarNode)
        {
            return Text(value, path) is { Length: > 0 } rubric ? new JudgeAssertion(rubric, JudgeAssertion.DefaultMinScore, target, null, null) : Missing(value, path, "the rubric must not be empty") as JudgeAssertion;
        }

        if (value is not YamlMappingNode map)
        {
            Error(path, value, "judge must be a mapping {rubric: text, min_score?: 0..1, node?, provider?, model?}");
            return null;
        }

        CheckKeys(map, path, JudgeKeys);
        string? text = null;
        switch (Child(map, "rubric"))
        {
            case null:
                Error(path, map, "rubric is required: what the output must do to pass, in words a grader can check");
                break;
            case YamlScalarNode { Value: { Length: > 0 } r } when !string.IsNullOrWhiteSpace(r):
                text = r;
                break;
            case var other:
                Error($"{path}.rubric", other, "rubric must be a non-empty text");
                break;
        }

        var minScore = JudgeAssertion.DefaultMinScore;
        if (Child(map, "min_score") is { } min)
        {
            if (min is YamlScalarNode { Value: { } m } && double.TryParse(m, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 1)
            {
                minScore = v;
            }
            else
            {
                Error($"{path}.min_score", min, "min_score must be a number between 0 and 1");
            }
        }

        var node = target;
        if (Child(map, "node") is { } inner)
        {
            if (target is not null)
            {
                Error($"{path}.node", inner, "node is given twice: inside judge and beside it");
            }

            node = Text(inner, $"{path}.node");
        }

        var provider = Child(map, "provider") is { } p ? Text(p, $"{path}.provider") : null;
        var model = Child(map, "model") is { } md ? Text(md, $"{path}.model") : null;
        return text is null ? null : new JudgeAssertion(text, minScore, node, provider, model);
    }

    private string? ToolName(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } name } && name.Trim().Length > 0)
        {
            return name.Trim();
        }

        Error(path, node, "expected a tool name (or a pattern such as crm.*)");
        return null;
    }

    private string? NoText(YamlNode node, string path, string message)
    {
        Error(path, node, message);
        return null;
    }

    private Assertion? Missing(YamlNode node, string path, string message)
    {
        Error(path, node, message);
        return null;
    }

    private long? MaxViolations(YamlMappingNode map, string path) =>
        Child(map, "max_violations") is { } node && Number(node, path + ".max_violations", 0m) is { } most ? (long)most : null;

    private string? Status(YamlNode node, string path)
    {
        var text = Text(node, path);
        if (text is not null && !StatusAssertion.Known.Contains(text))
        {
            Error(path, node, $"unknown status '{text}'; expected one of {string.Join(", ", StatusAssertion.Known)}");
            return null;
        }

        return text;
    }

    private string? Text(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } text })
        {
            return text;
        }

        Error(path, node, "expected a text value");
        return null;
    }

    private bool? Bool(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: "true" or "false" } b)
        {
            return b.Value == "true";
        }

        Error(path, node, "expected true or false");
        return null;
    }

    private decimal? Number(YamlNode node, string path, decimal min)
    {
        if (node is YamlScalarNode { Value: { } text } && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min)
        {
            return value;
        }

        Error(path, node, string.Create(CultureInfo.InvariantCulture, $"expected a number ≥ {min}"));
        return null;
    }

    private decimal? Duration(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } text } && Durations.TryParse(text, out var span))
        {
            return (decimal)span.TotalMilliseconds;
        }

        Error(path, node, "expected a duration such as 500ms, 30s or 2m");
        return null;
    }

    private double Threshold(YamlMappingNode map, string path)
    {
        var node = Child(map, "threshold");
        if (node is null)
        {
            return 0.5;
        }

        if (node is YamlScalarNode { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1)
        {
            return value;
        }

        Error(path, node, "threshold must be a number between 0 and 1");
        return 0.5;
    }

    private List<string>? Names(YamlNode node, string path)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { Length: > 0 } one }:
                return [one];
            case YamlSequenceNode seq when seq.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }) && seq.Children.Count > 0:
                return seq.Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
            default:
                Error(path, node, "expected a node id or a list of node ids");
                return null;
        }
    }

    private Regex? Regex(YamlNode node, string path)
    {
        if (Text(node, path) is not { } pattern)
        {
            return null;
        }

        if (SafeRegex.TryCreate(pattern, out var regex, out var error))
        {
            return regex;
        }

        Error(path, node, error!);
        return null;
    }

    private JsonPathAssertion? JsonPath(YamlMappingNode map, YamlNode value, string path, string? target)
    {
        var jsonPath = Text(value, path);
        if (jsonPath is not null && (jsonPath.Length == 0 || jsonPath.Split('.').Skip(jsonPath.StartsWith("$.", StringComparison.Ordinal) ? 1 : 0).Any(s => s.Length == 0)))
        {
            Error(path, value, "json_path must be a dotted path such as verdict or items.0.name");
            jsonPath = null;
        }

        var equals = map.Children.TryGetValue(new YamlScalarNode("equals"), out var e) ? e : null;
        bool? exists = Child(map, "exists") is { } x ? Bool(x, path[..path.LastIndexOf('.')] + ".exists") : null;
        if ((equals is null) == (exists is null))
        {
            Error(path, map, "json_path needs exactly one of equals or exists");
            return null;
        }

        return jsonPath is null ? null : new JsonPathAssertion(jsonPath, equals is null ? null : Json(equals), exists, target);
    }

    private sealed record ParsedSchema(JsonSchema Schema, string Text);

    private ParsedSchema? Schema(YamlNode node, string path)
    {
        string text;
        if (node is YamlScalarNode { Value: { } raw } && raw.TrimStart().StartsWith('{'))
        {
            text = raw;
        }
        else if (node is YamlMappingNode or YamlScalarNode { Value: "true" or "false" })
        {
            text = Json(node)?.ToJsonString() ?? "true";
        }
        else
        {
            Error(path, node, "json_schema must be a schema mapping (or its JSON text)");
            return null;
        }

        if (!JsonSchemas.TryBuild(text, out var schema, out var error))
        {
            Error(path, node, error!);
            return null;
        }

        return new ParsedSchema(schema!, text);
    }
}
