namespace Warden.Core.Graphs;

/// <summary>A parsed, validated workflow graph. Immutable once a version is stored.</summary>
public sealed record GraphDefinition(
    string Name,
    string? Description,
    GraphDefaults Defaults,
    IReadOnlyList<NodeDefinition> Nodes,
    IReadOnlyList<EdgeDefinition> Edges,
    Guardrails.Budget.BudgetLimit? Budget = null,
    IReadOnlyList<Governance.Policies.ToolRule>? ToolPolicies = null,
    GovernanceSettings? Governance = null,
    Releases.SloSettings? Slos = null)
{
    public NodeDefinition? FindNode(string id) => Nodes.FirstOrDefault(n => n.Id == id);
}

public sealed record GraphDefaults(string Provider, string Model, RetryPolicy Retry, TimeSpan Timeout, IReadOnlyList<ProviderChoice>? Providers = null)
{
    public static GraphDefaults Standard { get; } = new("mock", "mock-1", RetryPolicy.Standard, TimeSpan.FromMinutes(2));
}

public enum NodeKind
{
    Agent,
    Approval,

    /// <summary>Calls a registered tool with its rendered input; tool policies decide whether it may.</summary>
    Tool,
}

public sealed record NodeDefinition(
    string Id,
    NodeKind Kind,
    string? Role,
    string? Prompt,
    string Provider,
    string Model,
    RetryPolicy Retry,
    TimeSpan Timeout,
    MockSettings Mock,
    ApprovalSettings? Approval,
    IReadOnlyList<ProviderChoice>? Providers = null,
    string? Tool = null,
    Contracts.NodeContract? Contract = null)
{
    /// <summary>The providers to try, best first: the node's list, or its single provider and model.</summary>
    public IReadOnlyList<ProviderChoice> Candidates => Providers is { Count: > 0 } ? Providers : [new ProviderChoice(Provider, Model, null)];
}

/// <summary>One provider preference, written <c>provider:model</c> or <c>provider:model@region</c>.</summary>
public sealed partial record ProviderChoice(string Provider, string Model, string? Region)
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^([a-z][a-z0-9-]*):([A-Za-z0-9._:/-]+?)(?:@([a-z0-9-]+))?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Grammar();

    public static bool TryParse(string text, out ProviderChoice? choice)
    {
        var m = Grammar().Match(text.Trim());
        choice = m.Success ? new ProviderChoice(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Success ? m.Groups[3].Value : null) : null;
        return m.Success;
    }

    /// <summary>The breaker and rate-limit key: provider and region.</summary>
    public string Key => Region is null ? Provider : $"{Provider}@{Region}";

    public override string ToString() => Region is null ? $"{Provider}:{Model}" : $"{Provider}:{Model}@{Region}";
}

/// <summary>Retry with exponential backoff; jitter is drawn from the run's seed so decisions replay identically.</summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan InitialBackoff, TimeSpan MaxBackoff, double Multiplier)
{
    public static RetryPolicy Standard { get; } = new(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 2.0);
}

/// <summary>Knobs the mock provider honours so tests and demos can make slow or flaky steps.</summary>
/// <summary>How the mock provider answers a node: optional added latency, scripted failures and a fixed reply.</summary>
/// <param name="Response">A fixed reply instead of the seeded one (its tokens are counted like any reply's).</param>
/// <param name="Replies">Scripted replies for the first attempts, in order (e.g. one that breaks a contract, to show
/// the retry); later attempts get <paramref name="Response"/> or the mock's usual reply.</param>
public sealed record MockSettings(int LatencyMs, int FailFirstAttempts, double ErrorRate, string? Response = null, IReadOnlyList<string>? Replies = null)
{
    public static MockSettings None { get; } = new(0, 0, 0);
}

public enum ApprovalTimeoutAction
{
    Fail,
    Escalate,
    Approve,
    Reject,
}

public sealed record ApprovalSettings(string Message, TimeSpan? Deadline, ApprovalTimeoutAction OnTimeout);

/// <summary>
/// An edge is taken when its source ends and its condition holds. Without a condition it needs the
/// source to have succeeded. An edge with <see cref="MaxTraversals"/> closes a loop and may be taken
/// at most that many times in one run.
/// </summary>
public sealed record EdgeDefinition(string From, string To, EdgeCondition? When, int? MaxTraversals)
{
    public bool IsLoop => MaxTraversals is not null;
}



/// <summary>
/// A graph's governance switches, applied by the node executor: PII screening of what goes to a provider (input)
/// and what comes back (output) — off, redact or block; prompt-injection screening of tool-returned content above
/// a score threshold — block or require_approval. Null members fall back to the host's defaults.
/// </summary>
public sealed record GovernanceSettings(string? PiiInput, string? PiiOutput, double? InjectionThreshold, string? InjectionAction, int? MinScore)
{
    /// <summary>No screening at all: the baseline an ungoverned run (an evaluation's "baseline" side) runs with.</summary>
    public static GovernanceSettings Off { get; } = new("off", "off", null, "allow", null);
}
