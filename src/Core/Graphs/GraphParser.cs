using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using Warden.Core.Governance.Policies;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Warden.Core.Serialization;

namespace Warden.Core.Graphs;

/// <summary>
/// Reads a graph from YAML (JSON is accepted too: it is a subset of YAML) keeping every node's
/// line and column, so each error points at the place to fix. Collects all errors, then throws once.
/// </summary>
public sealed partial class GraphParser
{
    private static readonly HashSet<string> TopKeys = ["name", "description", "defaults", "budget", "tool_policies", "governance", "contracts", "slos", "nodes", "edges"];
    private static readonly HashSet<string> GovernanceKeys = ["pii", "injection", "min_score"];
    private static readonly HashSet<string> PiiKeys = ["input", "output"];
    private static readonly HashSet<string> InjectionKeys = ["threshold", "action"];
    private static readonly HashSet<string> PolicyKeys = ["tool", "action", "decision"];
    private static readonly HashSet<string> DefaultKeys = ["provider", "model", "providers", "retries", "retry", "timeout"];
    private static readonly HashSet<string> BudgetKeys = ["max_cost_usd", "max_tokens"];
    private static readonly HashSet<string> NodeKeys =
        ["id", "kind", "role", "prompt", "provider", "model", "providers", "retries", "retry", "timeout", "mock", "message", "deadline", "on_timeout", "description", "tool", "input", "contract"];

    private static readonly HashSet<string> RetryKeys = ["max_attempts", "initial_backoff", "max_backoff", "multiplier"];
    private static readonly HashSet<string> MockKeys = ["latency_ms", "fail_first_attempts", "error_rate", "response", "replies"];
    private static readonly HashSet<string> EdgeKeys = ["from", "to", "when", "max_traversals"];

    private readonly List<GraphError> _errors = [];
    private readonly Dictionary<string, Mark> _positions = new(StringComparer.Ordinal);

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex Slug();

    [GeneratedRegex(@"^\s*([A-Za-z0-9_-]+)\s*->\s*([A-Za-z0-9_-]+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex ArrowEdge();

    private GraphParser()
    {
    }

    /// <summary>Parses and validates; throws <see cref="GraphValidationException"/> listing every problem.</summary>
    public static GraphDefinition Parse(string text)
    {
        var parser = new GraphParser();
        var graph = parser.ParseDocument(text);
        if (graph is not null && parser._errors.Count == 0)
        {
            GraphValidator.Validate(graph, parser._errors, parser.At);
        }

        if (parser._errors.Count > 0 || graph is null)
        {
            throw new GraphValidationException(parser._errors.Count > 0 ? parser._errors : [new GraphError("$", "empty graph")]);
        }

        return graph;
    }

    private GraphError At(string path, string message) =>
        _positions.TryGetValue(path, out var mark)
            ? new GraphError(path, message, (int)mark.Line, (int)mark.Column)
            : new GraphError(path, message);

    private void Error(string path, YamlNode? node, string message)
    {
        if (node is null)
        {
            _errors.Add(At(path, message));
        }
        else
        {
            _errors.Add(new GraphError(path, message, (int)node.Start.Line, (int)node.Start.Column));
        }
    }

    private GraphDefinition? ParseDocument(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            _errors.Add(new GraphError("$", "the graph document is empty"));
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
            _errors.Add(new GraphError("$", $"not valid YAML or JSON: {StripMark(reason)}", (int)ex.Start.Line, (int)ex.Start.Column));
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            _errors.Add(new GraphError("$", "the graph must be a mapping with name, nodes and edges"));
            return null;
        }

        CheckKeys(root, "$", TopKeys);
        var name = RequiredString(root, "name", "$.name");
        if (name is not null && !Slug().IsMatch(name))
        {
            Error("$.name", Child(root, "name"), "name must be lower-case letters, digits, '-' or '_' (at most 64)");
        }

        var description = OptionalString(root, "description", "$.description");
        var defaults = ParseDefaults(Child(root, "defaults"));
        ParseContractMap(Child(root, "contracts"));
        var nodes = ParseNodes(Child(root, "nodes"), defaults);
        var edges = ParseEdges(Child(root, "edges"));
        return new GraphDefinition(name ?? string.Empty, description, defaults, nodes, edges, ParseBudget(Child(root, "budget")), ParseToolPolicies(Child(root, "tool_policies")), ParseGovernance(Child(root, "governance")), ParseSlos(Child(root, "slos")));
    }

    private static string StripMark(string message)
    {
        var idx = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && idx > 0 ? message[(idx + 3)..] : message;
    }

    private GraphDefaults ParseDefaults(YamlNode? node)
    {
        var standard = GraphDefaults.Standard;
        if (node is null)
        {
            return standard;
        }

        if (node is not YamlMappingNode map)
        {
            Error("$.defaults", node, "defaults must be a mapping");
            return standard;
        }

        CheckKeys(map, "$.defaults", DefaultKeys);
        return new GraphDefaults(
            OptionalString(map, "provider", "$.defaults.provider") ?? standard.Provider,
            OptionalString(map, "model", "$.defaults.model") ?? standard.Model,
            ParseRetry(map, "$.defaults", standard.Retry),
            OptionalDuration(map, "timeout", "$.defaults.timeout") ?? standard.Timeout,
            ParseProviders(Child(map, "providers"), "$.defaults.providers"));
    }

    private Guardrails.Budget.BudgetLimit? ParseBudget(YamlNode? node)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not YamlMappingNode map)
        {
            Error("$.budget", node, "budget must be a mapping of max_cost_usd and/or max_tokens");
            return null;
        }

        CheckKeys(map, "$.budget", BudgetKeys);
        var cost = OptionalNumber(map, "max_cost_usd", "$.budget.max_cost_usd", 0m, 1_000_000m, "an amount in USD");
        var tokens = OptionalNumber(map, "max_tokens", "$.budget.max_tokens", 1L, 10_000_000_000L, "a whole number");
        if (cost is null && tokens is null)
        {
            Error("$.budget", map, "budget needs max_cost_usd, max_tokens or both");
        }

        return new Guardrails.Budget.BudgetLimit(cost, tokens);
    }

    /// <summary>governance: {pii: {input, output}, injection: {threshold, action}, min_score}.</summary>
    private GovernanceSettings? ParseGovernance(YamlNode? node)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not YamlMappingNode map)
        {
            Error("$.governance", node, "governance must be a mapping of pii, injection and min_score");
            return null;
        }

        CheckKeys(map, "$.governance", GovernanceKeys);
        string? piiInput = null, piiOutput = null, action = null;
        double? threshold = null;
        if (Child(map, "pii") is YamlMappingNode pii)
        {
            CheckKeys(pii, "$.governance.pii", PiiKeys);
            piiInput = Mode(pii, "input");
            piiOutput = Mode(pii, "output");
        }
        else if (Child(map, "pii") is { } other)
        {
            Error("$.governance.pii", other, "pii must be a mapping of input and output (off, redact or block)");
        }

        if (Child(map, "injection") is YamlMappingNode injection)
        {
            CheckKeys(injection, "$.governance.injection", InjectionKeys);
            threshold = OptionalDouble(injection, "threshold", "$.governance.injection.threshold", 0, 1);
            action = OptionalString(injection, "action", "$.governance.injection.action");
            if (action is not (null or "block" or "require_approval" or "allow"))
            {
                Error("$.governance.injection.action", Child(injection, "action"), $"action must be block, require_approval or allow, not '{action}'");
            }
        }

        return new GovernanceSettings(piiInput, piiOutput, threshold, action, OptionalInt(map, "min_score", "$.governance.min_score", 0, 100));

        string? Mode(YamlMappingNode pii, string key)
        {
            var mode = OptionalString(pii, key, $"$.governance.pii.{key}");
            if (mode is not (null or "off" or "redact" or "block"))
            {
                Error($"$.governance.pii.{key}", Child(pii, key), $"pii {key} must be off, redact or block, not '{mode}'");
                return null;
            }

            return mode;
        }
    }

    /// <summary>tool_policies: a list of {tool, action, decision}; the most specific matching rule decides.</summary>
    private List<ToolRule>? ParseToolPolicies(YamlNode? node)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not YamlSequenceNode seq)
        {
            Error("$.tool_policies", node, "tool_policies must be a list of {tool, action, decision}");
            return null;
        }

        var rules = new List<ToolRule>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var path = $"$.tool_policies[{i}]";
            if (seq.Children[i] is not YamlMappingNode map)
            {
                Error(path, seq.Children[i], "a tool policy is a mapping of tool, action and decision");
                continue;
            }

            CheckKeys(map, path, PolicyKeys);
            var tool = OptionalString(map, "tool", path + ".tool") ?? "*";
            var action = OptionalString(map, "action", path + ".action") ?? "*";
            if (action is not ("*" or "read" or "write" or "external"))
            {
                Error(path + ".action", Child(map, "action"), $"action must be read, write, external or *, not '{action}'");
            }

            var decisionText = RequiredString(map, "decision", path + ".decision");
            ToolEffect? decision = decisionText switch
            {
                "allow" => ToolEffect.Allow,
                "deny" => ToolEffect.Deny,
                "require_approval" => ToolEffect.RequireApproval,
                null => null,
                _ => null,
            };
            if (decision is null && decisionText is not null)
            {
                Error(path + ".decision", Child(map, "decision"), $"decision must be allow, deny or require_approval, not '{decisionText}'");
            }

            if (decision is not null)
            {
                ActionClass? actionClass = action switch
                {
                    "read" => ActionClass.Read,
                    "write" => ActionClass.Write,
                    "external" => ActionClass.External,
                    _ => null,
                };
                rules.Add(new ToolRule(tool, actionClass, decision.Value));
            }
        }

        return rules;
    }

    /// <summary>A list of provider:model[@region] preferences, best first.</summary>
    private List<ProviderChoice>? ParseProviders(YamlNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
        {
            Error(path, node, "providers must be a non-empty list of 'provider:model' or 'provider:model@region'");
            return null;
        }

        var result = new List<ProviderChoice>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var item = seq.Children[i];
            if (item is YamlScalarNode { Value: { } text } && ProviderChoice.TryParse(text, out var choice))
            {
                result.Add(choice!);
            }
            else
            {
                Error($"{path}[{i}]", item, $"'{(item as YamlScalarNode)?.Value}' is not 'provider:model' or 'provider:model@region'");
            }
        }

        return result;
    }

    private List<NodeDefinition> ParseNodes(YamlNode? node, GraphDefaults defaults)
    {
        var result = new List<NodeDefinition>();
        switch (node)
        {
            case null:
                _errors.Add(new GraphError("$.nodes", "a graph needs at least one node"));
                break;
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    AddNode(seq.Children[i], $"$.nodes[{i}]", null);
                }

                break;
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode { Value: { } id })
                    {
                        Error("$.nodes", key, "a node id (a key under nodes) must be a plain string");
                        continue;
                    }

                    AddNode(value, $"$.nodes.{id}", id);
                }

                break;
            default:
                Error("$.nodes", node, "nodes must be a list (or a mapping from id to node)");
                break;
        }

        if (node is not null && result.Count == 0 && _errors.Count == 0)
        {
            Error("$.nodes", node, "a graph needs at least one node");
        }

        return result;

        void AddNode(YamlNode raw, string path, string? keyId)
        {
            if (raw is not YamlMappingNode map)
            {
                Error(path, raw, "a node must be a mapping");
                return;
            }

            _positions[path] = map.Start;
            CheckKeys(map, path, NodeKeys);
            var id = keyId ?? RequiredString(map, "id", path + ".id");
            if (id is null)
            {
                return;
            }

            if (!Slug().IsMatch(id))
            {
                Error(path + ".id", Child(map, "id") ?? map, $"node id '{id}' must be lower-case letters, digits, '-' or '_'");
            }

            _positions["node:" + id] = map.Start;
            var kindText = OptionalString(map, "kind", path + ".kind") ?? "agent";
            NodeKind kind;
            switch (kindText)
            {
                case "agent":
                    kind = NodeKind.Agent;
                    break;
                case "approval":
                    kind = NodeKind.Approval;
                    break;
                case "tool":
                    kind = NodeKind.Tool;
                    break;
                default:
                    Error(path + ".kind", Child(map, "kind"), $"unknown node kind '{kindText}'; expected agent, approval or tool");
                    return;
            }

            var role = OptionalString(map, "role", path + ".role");
            var prompt = OptionalString(map, "prompt", path + ".prompt");
            var tool = OptionalString(map, "tool", path + ".tool");
            if (kind == NodeKind.Tool)
            {
                if (tool is null)
                {
                    Error(path, map, $"tool node '{id}' needs a tool (the name of a registered tool)");
                }

                // A tool's input is a template like a prompt; by default the outputs of the nodes before it.
                prompt = OptionalString(map, "input", path + ".input") ?? "{{upstream}}";
                role = "tool";
                if (Child(map, "input") is { } input)
                {
                    _positions["prompt:" + id] = input.Start;
                }
            }
            if (kind == NodeKind.Agent)
            {
                if (role is null)
                {
                    Error(path, map, $"agent node '{id}' needs a role ({string.Join(", ", AgentRoles.All.Order())})");
                }
                else if (!AgentRoles.All.Contains(role))
                {
                    Error(path + ".role", Child(map, "role"), $"unknown role '{role}'; known roles: {string.Join(", ", AgentRoles.All.Order())}");
                }

                if (string.IsNullOrWhiteSpace(prompt))
                {
                    Error(path, map, $"agent node '{id}' is missing a prompt");
                }
                else
                {
                    _positions["prompt:" + id] = Child(map, "prompt")!.Start;
                }
            }

            ApprovalSettings? approval = null;
            if (kind == NodeKind.Approval)
            {
                var onTimeoutText = OptionalString(map, "on_timeout", path + ".on_timeout") ?? "fail";
                var onTimeout = onTimeoutText switch
                {
                    "fail" => ApprovalTimeoutAction.Fail,
                    "escalate" => ApprovalTimeoutAction.Escalate,
                    "approve" => ApprovalTimeoutAction.Approve,
                    "reject" => ApprovalTimeoutAction.Reject,
                    _ => (ApprovalTimeoutAction?)null,
                };
                if (onTimeout is null)
                {
                    Error(path + ".on_timeout", Child(map, "on_timeout"), $"on_timeout must be fail, escalate, approve or reject, not '{onTimeoutText}'");
                }

                approval = new ApprovalSettings(
                    OptionalString(map, "message", path + ".message") ?? prompt ?? $"Approve step '{id}'?",
                    OptionalDuration(map, "deadline", path + ".deadline"),
                    onTimeout ?? ApprovalTimeoutAction.Fail);
            }

            var provider = OptionalString(map, "provider", path + ".provider");
            var model = OptionalString(map, "model", path + ".model");
            var providers = ParseProviders(Child(map, "providers"), path + ".providers")
                ?? (provider is null && model is null ? defaults.Providers : null);
            result.Add(new NodeDefinition(
                id,
                kind,
                role,
                prompt,
                providers?[0].Provider ?? provider ?? defaults.Provider,
                providers?[0].Model ?? model ?? defaults.Model,
                ParseRetry(map, path, defaults.Retry),
                OptionalDuration(map, "timeout", path + ".timeout") ?? defaults.Timeout,
                ParseMock(Child(map, "mock"), path + ".mock"),
                approval,
                kind == NodeKind.Tool ? null : providers,
                tool,
                ParseNodeContract(Child(map, "contract"), path + ".contract", id, kind)));
        }
    }

    private RetryPolicy ParseRetry(YamlMappingNode map, string path, RetryPolicy fallback)
    {
        var policy = fallback;
        if (OptionalInt(map, "retries", path + ".retries", 0, 20) is { } retries)
        {
            policy = policy with { MaxAttempts = retries + 1 };
        }

        var node = Child(map, "retry");
        if (node is null)
        {
            return policy;
        }

        if (node is not YamlMappingNode retry)
        {
            Error(path + ".retry", node, "retry must be a mapping of max_attempts, initial_backoff, max_backoff, multiplier");
            return policy;
        }

        CheckKeys(retry, path + ".retry", RetryKeys);
        policy = new RetryPolicy(
            OptionalInt(retry, "max_attempts", path + ".retry.max_attempts", 1, 21) ?? policy.MaxAttempts,
            OptionalDuration(retry, "initial_backoff", path + ".retry.initial_backoff") ?? policy.InitialBackoff,
            OptionalDuration(retry, "max_backoff", path + ".retry.max_backoff") ?? policy.MaxBackoff,
            OptionalDouble(retry, "multiplier", path + ".retry.multiplier", 1, 10) ?? policy.Multiplier);
        if (policy.MaxBackoff < policy.InitialBackoff)
        {
            Error(path + ".retry.max_backoff", Child(retry, "max_backoff") ?? retry, "max_backoff must not be shorter than initial_backoff");
        }

        return policy;
    }

    private MockSettings ParseMock(YamlNode? node, string path)
    {
        if (node is null)
        {
            return MockSettings.None;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, "mock must be a mapping of latency_ms, fail_first_attempts, error_rate, response, replies");
            return MockSettings.None;
        }

        CheckKeys(map, path, MockKeys);
        return new MockSettings(
            OptionalInt(map, "latency_ms", path + ".latency_ms", 0, 600_000) ?? 0,
            OptionalInt(map, "fail_first_attempts", path + ".fail_first_attempts", 0, 100) ?? 0,
            OptionalDouble(map, "error_rate", path + ".error_rate", 0, 1) ?? 0,
            OptionalString(map, "response", path + ".response"),
            MockReplies(Child(map, "replies"), path + ".replies"));
    }

    private List<string>? MockReplies(YamlNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }

        if (node is YamlSequenceNode seq && seq.Children.All(c => c is YamlScalarNode { Value: not null }))
        {
            return seq.Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        }

        Error(path, node, "replies must be a list of texts: the mock's replies to the first attempts, in order");
        return null;
    }

    private List<EdgeDefinition> ParseEdges(YamlNode? node)
    {
        var result = new List<EdgeDefinition>();
        if (node is null)
        {
            return result;
        }

        if (node is not YamlSequenceNode seq)
        {
            Error("$.edges", node, "edges must be a list");
            return result;
        }

        for (var i = 0; i < seq.Children.Count; i++)
        {
            var path = $"$.edges[{i}]";
            var raw = seq.Children[i];
            _positions[path] = raw.Start;
            if (raw is YamlScalarNode scalar)
            {
                var m = ArrowEdge().Match(scalar.Value ?? string.Empty);
                if (!m.Success)
                {
                    Error(path, raw, "an edge is 'from -> to' or a mapping with from, to, when, max_traversals");
                    continue;
                }

                _positions[path + ".from"] = raw.Start;
                _positions[path + ".to"] = raw.Start;
                result.Add(new EdgeDefinition(m.Groups[1].Value, m.Groups[2].Value, null, null));
                continue;
            }

            if (raw is not YamlMappingNode map)
            {
                Error(path, raw, "an edge is 'from -> to' or a mapping with from, to, when, max_traversals");
                continue;
            }

            CheckKeys(map, path, EdgeKeys);
            var from = RequiredString(map, "from", path + ".from");
            var to = RequiredString(map, "to", path + ".to");
            EdgeCondition? condition = null;
            if (OptionalString(map, "when", path + ".when") is { } whenText
                && !EdgeCondition.TryParse(whenText, out condition, out var conditionError))
            {
                Error(path + ".when", Child(map, "when"), conditionError!);
            }

            var bound = OptionalInt(map, "max_traversals", path + ".max_traversals", 1, 100);
            if (from is not null && to is not null)
            {
                result.Add(new EdgeDefinition(from, to, condition, bound));
            }
        }

        return result;
    }

    /// <summary>The value under a key; an empty value (<c>edges:</c> with nothing after it, or <c>~</c>) counts as absent.</summary>
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
        var value = OptionalString(map, key, path);
        if (value is null && Child(map, key) is null)
        {
            Error(path, map, $"'{key}' is required");
        }

        return value;
    }

    private string? OptionalString(YamlMappingNode map, string key, string path)
    {
        var node = Child(map, key);
        if (node is null)
        {
            return null;
        }

        _positions[path] = node.Start;
        if (node is not YamlScalarNode scalar || string.IsNullOrWhiteSpace(scalar.Value))
        {
            Error(path, node, $"'{key}' must be a non-empty string");
            return null;
        }

        return scalar.Value;
    }

    private TimeSpan? OptionalDuration(YamlMappingNode map, string key, string path)
    {
        var text = OptionalString(map, key, path);
        if (text is null)
        {
            return null;
        }

        if (!Durations.TryParse(text, out var value) || value <= TimeSpan.Zero)
        {
            Error(path, Child(map, key), $"'{text}' is not a duration; write e.g. 500ms, 30s, 5m, 2h or 1d");
            return null;
        }

        return value;
    }

    private int? OptionalInt(YamlMappingNode map, string key, string path, int min, int max) =>
        OptionalNumber(map, key, path, min, max, "a whole number");

    private double? OptionalDouble(YamlMappingNode map, string key, string path, double min, double max) =>
        OptionalNumber(map, key, path, min, max, "a number");

    private T? OptionalNumber<T>(YamlMappingNode map, string key, string path, T min, T max, string kind)
        where T : struct, INumber<T>
    {
        var text = OptionalString(map, key, path);
        if (text is null)
        {
            return null;
        }

        if (!T.TryParse(text, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Error(path, Child(map, key), $"'{key}' must be {kind} from {min} to {max}, not '{text}'");
            return null;
        }

        return value;
    }
}
