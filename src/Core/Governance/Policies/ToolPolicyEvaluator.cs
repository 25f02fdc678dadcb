namespace Warden.Core.Governance.Policies;

/// <summary>
/// Decides a tool call. Within one scope (tenant, graph) the most specific matching rule wins (see
/// <see cref="ToolPattern.Specificity"/>); rules equally specific are resolved towards restriction: deny, then
/// require_approval, then allow. Across scopes the stricter decision wins, so a graph can tighten its tenant's
/// policy but never loosen it. When no rule matches, reads are allowed and writes and external calls need
/// approval. In shadow and replay runs a write or external call that is not denied is simulated, never performed:
/// external calls are treated as side-effecting because nothing tells a webhook from a search.
/// </summary>
public static class ToolPolicyEvaluator
{
    public static ToolDecision Evaluate(ToolPolicySet policies, string tool, ActionClass actionClass, RunMode mode)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentException.ThrowIfNullOrWhiteSpace(tool);
        var tenant = Decide(policies.TenantRules, tool, actionClass);
        var graph = Decide(policies.GraphRules, tool, actionClass);
        var (effect, scope, rule) = (tenant, graph) switch
        {
            (null, null) => (Fallback(actionClass), PolicyScope.Fallback, null),
            (not null, null) => (tenant.Effect, PolicyScope.Tenant, tenant),
            (null, not null) => (graph.Effect, PolicyScope.Graph, graph),
            _ => graph.Effect > tenant.Effect ? (graph.Effect, PolicyScope.Graph, graph) : (tenant.Effect, PolicyScope.Tenant, tenant),
        };

        var simulate = mode is RunMode.Shadow or RunMode.Replay && actionClass is not ActionClass.Read && effect != ToolEffect.Deny;
        var verdict = simulate ? ToolVerdict.Simulate : effect switch
        {
            ToolEffect.Allow => ToolVerdict.Allow,
            ToolEffect.RequireApproval => ToolVerdict.RequireApproval,
            ToolEffect.Deny => ToolVerdict.Deny,
            _ => throw new ArgumentOutOfRangeException(nameof(policies), effect, "unknown tool effect"),
        };
        return new ToolDecision(verdict, effect, scope, rule, Reason(tool, actionClass, mode, effect, scope, rule, simulate));
    }

    /// <summary>The deciding rule of one scope, or null when none matches.</summary>
    private static ToolRule? Decide(IReadOnlyList<ToolRule> rules, string tool, ActionClass actionClass) =>
        rules
            .Where(r => (r.ActionClass is null || r.ActionClass == actionClass) && ToolPattern.Matches(r.Tool, tool))
            .OrderByDescending(ToolPattern.Specificity)
            .ThenByDescending(r => r.Effect)
            .FirstOrDefault();

    private static ToolEffect Fallback(ActionClass actionClass) =>
        actionClass == ActionClass.Read ? ToolEffect.Allow : ToolEffect.RequireApproval;

    private static string Reason(string tool, ActionClass actionClass, RunMode mode, ToolEffect effect, PolicyScope scope, ToolRule? rule, bool simulate)
    {
        var source = rule is null
            ? $"no rule matches {tool} ({Wire(actionClass)}): default {Wire(effect)}"
            : $"{scope.ToString().ToLowerInvariant()} rule '{rule.Tool}'{(rule.ActionClass is { } c ? $" for {Wire(c)}" : "")}: {Wire(effect)}";
        return simulate ? $"{source}; simulated in {mode.ToString().ToLowerInvariant()} run" : source;
    }

    private static string Wire(ActionClass actionClass) => actionClass.ToString().ToLowerInvariant();

    private static string Wire(ToolEffect effect) => effect switch
    {
        ToolEffect.Allow => "allow",
        ToolEffect.RequireApproval => "require_approval",
        _ => "deny",
    };
}
