using Warden.Core.Graphs;

namespace Warden.Runtime.Guardrails;

/// <summary>
/// Picks the rule for a tool call: exact tool names beat patterns, longer patterns beat shorter ones, a named action
/// class beats <c>*</c>; at equal specificity deny beats require_approval beats allow. No rule: allow.
/// </summary>
internal static class ToolPolicy
{
    public static (ToolDecision Decision, ToolPolicyRule? Rule) Decide(IReadOnlyList<ToolPolicyRule> rules, string tool, string actionClass)
    {
        var best = rules
            .Where(r => Matches(r.Tool, tool) && (r.Action == "*" || r.Action == actionClass))
            .OrderByDescending(r => Specificity(r))
            .ThenByDescending(r => r.Decision switch { ToolDecision.Deny => 2, ToolDecision.RequireApproval => 1, _ => 0 })
            .FirstOrDefault();
        return (best?.Decision ?? ToolDecision.Allow, best);
    }

    private static int Specificity(ToolPolicyRule rule) =>
        (rule.Tool.Contains('*', StringComparison.Ordinal) ? rule.Tool.Replace("*", string.Empty, StringComparison.Ordinal).Length : 1000) * 2 + (rule.Action == "*" ? 0 : 1);

    private static bool Matches(string pattern, string tool)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(pattern, tool, StringComparison.Ordinal);
        }

        var parts = pattern.Split('*');
        var position = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var found = i == 0 ? (tool.StartsWith(part, StringComparison.Ordinal) ? 0 : -1) : tool.IndexOf(part, position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            position = found + part.Length;
        }

        return parts[^1].Length == 0 || tool.EndsWith(parts[^1], StringComparison.Ordinal);
    }
}
