using System.Text.Json.Nodes;
using Warden.Core.Governance.Policies;

namespace Warden.Core.Testing.Assertions;

/// <summary>
/// Tool steps as the durable timeline records them: a call is a tool step's <c>node.started</c> (its data names the
/// <c>tool</c>, its <c>args</c> — the rendered input — and the policy <c>decision</c> that let it run); a denied call
/// is a <c>policy.denied</c> and a call held for a human an <c>approval.requested</c>, each naming the tool.
/// </summary>
internal static class ToolTimeline
{
    public static IEnumerable<ObservedEvent> Calls(RunObservation run, string pattern, string? node) =>
        run.Timeline.Where(e => e.Type == "node.started" && Named(e, pattern, node));

    public static IEnumerable<ObservedEvent> Decisions(RunObservation run, string pattern, string? node) =>
        run.Timeline.Where(e => e.Type is "node.started" or "policy.denied" or "approval.requested" && e.Get("decision").Length > 0 && Named(e, pattern, node));

    private static bool Named(ObservedEvent e, string pattern, string? node) =>
        (node is null || e.NodeId == node) && e.Get("tool") is { Length: > 0 } tool && ToolPattern.Matches(pattern, tool);

    /// <summary>
    /// Expected arguments match a call's input as a JSON subset: every expected key is present with a matching
    /// value (objects recursively, arrays element by element, scalars by JSON equality). Expected text matches an
    /// input that contains it.
    /// </summary>
    public static bool ArgsMatch(JsonNode? expected, string input)
    {
        if (expected is JsonValue value && value.TryGetValue<string>(out var text))
        {
            return input.Contains(text, StringComparison.Ordinal);
        }

        return JsonOutput.TryParse(input, out var actual) && Subset(expected, actual);
    }

    private static bool Subset(JsonNode? expected, JsonNode? actual) => expected switch
    {
        JsonObject want => actual is JsonObject have && want.All(p => have.TryGetPropertyValue(p.Key, out var v) && Subset(p.Value, v)),
        JsonArray want => actual is JsonArray have && want.Count <= have.Count && want.Select((w, i) => Subset(w, have[i])).All(ok => ok),
        _ => JsonNode.DeepEquals(expected, actual) || (expected is JsonValue && actual is JsonValue a && a.TryGetValue<string>(out var s) && s == expected.ToJsonString()),
    };

    public static string Show(IEnumerable<ObservedEvent> events) =>
        string.Join("; ", events.Select(e => $"{e.NodeId}: {e.Get("tool")}({Clip(e.Get("args"))})")) is { Length: > 0 } text ? text : "no tool calls";

    private static string Clip(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");
}

/// <summary>
/// <c>tool_called: jira</c> or <c>tool_called: {tool: jira, args: {project: OPS}}</c>, and <c>tool_not_called</c>
/// with the same forms: some tool step (or the given <c>node</c>) did / did not call the tool (a name or a <c>*</c>
/// pattern), with arguments matching <see cref="Args"/> when given. Denied calls and calls still waiting for an
/// approval are not calls.
/// </summary>
public sealed record ToolCalledAssertion(string Tool, JsonNode? Args, bool Expected, string? Node) : Assertion(Expected ? "tool_called" : "tool_not_called", Node)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var calls = ToolTimeline.Calls(run, Tool, Node).ToList();
        var matching = calls.Where(c => Args is null || ToolTimeline.ArgsMatch(Args, c.Get("args"))).ToList();
        var what = Args is null ? Tool : $"{Tool} with {Args.ToJsonString()}";
        var all = ToolTimeline.Show(run.Timeline.Where(e => e.Type == "node.started" && e.Get("tool").Length > 0));
        return Result(matching.Count > 0 == Expected, Expected ? $"a call of {what}" : $"no call of {what}", matching.Count > 0 ? ToolTimeline.Show(matching) : all);
    }
}

/// <summary>
/// <c>policy: {tool: x, decision: allow|deny|approval}</c>: the tool policy decided so on some call of the tool (a name
/// or a <c>*</c> pattern), optionally at one <c>node</c>. Read from the timeline: allow on the step's start, deny on its
/// policy.denied, approval on its approval request.
/// </summary>
public sealed record PolicyDecisionAssertion(string Tool, string Decision, string? Node) : Assertion("policy", Node)
{
    public static readonly IReadOnlyList<string> Known = ["allow", "deny", "approval"];

    public override AssertionResult Evaluate(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var decisions = ToolTimeline.Decisions(run, Tool, Node).ToList();
        var seen = decisions.Select(d => $"{d.NodeId}: {d.Get("tool")} {d.Get("decision")}").Distinct(StringComparer.Ordinal).ToList();
        return Result(
            decisions.Any(d => d.Get("decision") == Decision),
            $"{Tool}: {Decision}",
            seen.Count == 0 ? $"no policy decision on {Tool}" : string.Join("; ", seen));
    }
}
