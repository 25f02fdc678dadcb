namespace Warden.Core.Governance.Policies;

/// <summary>What a tool does: reads data, changes state, or reaches outside (sends email, calls a webhook, browses).</summary>
public enum ActionClass
{
    Read,
    Write,
    External,
}

/// <summary>Normal runs act; shadow runs mirror production without side effects; replays re-run a recorded run.</summary>
public enum RunMode
{
    Normal,
    Shadow,
    Replay,
}

/// <summary>Ordered from least to most restrictive: the evaluator resolves ties and scopes by this order.</summary>
public enum ToolEffect
{
    Allow,
    RequireApproval,
    Deny,
}

/// <summary>
/// One rule. <see cref="Tool"/> is a tool name or a pattern with <c>*</c> wildcards (<c>crm.*</c>, <c>*</c>),
/// matched case-insensitively; <see cref="ActionClass"/> null means any class.
/// </summary>
public sealed record ToolRule(string Tool, ActionClass? ActionClass, ToolEffect Effect);

/// <summary>
/// The rules in force for one run: its tenant's and its graph's. Wire contract (stored with tenants and graph
/// versions): add members, never rename them.
/// </summary>
public sealed record ToolPolicySet(IReadOnlyList<ToolRule> TenantRules, IReadOnlyList<ToolRule> GraphRules)
{
    public static ToolPolicySet Empty { get; } = new([], []);
}

public enum PolicyScope
{
    Tenant,
    Graph,

    /// <summary>No rule matched: the built-in fallback decided.</summary>
    Fallback,
}

public enum ToolVerdict
{
    Allow,
    RequireApproval,
    Deny,

    /// <summary>Shadow or replay run, side-effecting tool: report success without performing it.</summary>
    Simulate,
}

/// <summary>
/// The decision on one tool call. <see cref="Effect"/> is what the policy said; <see cref="Verdict"/> is what the
/// runtime does, which differs only when a shadow or replay run simulates a side-effecting call (a shadow report
/// can then show "would have required approval"). <see cref="Rule"/> is the deciding rule, null for the fallback.
/// </summary>
public sealed record ToolDecision(ToolVerdict Verdict, ToolEffect Effect, PolicyScope Scope, ToolRule? Rule, string Reason)
{
    public bool Performs => Verdict == ToolVerdict.Allow;
}
