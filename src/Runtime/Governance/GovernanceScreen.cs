using System.Globalization;
using Warden.Core.Governance.Injection;
using Warden.Core.Governance.Pii;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Governance;

/// <summary>Host-wide governance defaults; a graph's <c>governance</c> block overrides each of them.</summary>
public sealed record GovernanceDefaults(PiiMode PiiInput, PiiMode PiiOutput, double InjectionThreshold, InjectionAction InjectionAction)
{
    /// <summary>Redact personal data before any provider sees it; block injected instructions in tool content.</summary>
    public static GovernanceDefaults Standard { get; } = new(PiiMode.Redact, PiiMode.Off, 0.5, InjectionAction.Block);

    public static GovernanceDefaults FromEnvironment(Func<string, string?> read)
    {
        var d = Standard;
        return new GovernanceDefaults(
            Mode("GOVERNANCE_PII_INPUT", d.PiiInput),
            Mode("GOVERNANCE_PII_OUTPUT", d.PiiOutput),
            read("GOVERNANCE_INJECTION_THRESHOLD") is { Length: > 0 } t
                ? double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 1 ? v : throw new ConfigurationException($"GOVERNANCE_INJECTION_THRESHOLD must be a number from 0 to 1, not '{t}'")
                : d.InjectionThreshold,
            read("GOVERNANCE_INJECTION_ACTION") is { Length: > 0 } a ? GovernanceScreen.ParseAction(a) ?? throw new ConfigurationException($"GOVERNANCE_INJECTION_ACTION must be block, require_approval or allow, not '{a}'") : d.InjectionAction);

        PiiMode Mode(string name, PiiMode fallback) => read(name) is { Length: > 0 } text
            ? GovernanceScreen.ParseMode(text) ?? throw new ConfigurationException($"{name} must be off, redact or block, not '{text}'")
            : fallback;
    }
}

/// <summary>A screen's verdict: go on with this text, or stop the step with a code and reason.</summary>
public sealed record Screened(string Text, IReadOnlyList<Redaction> Redactions, string? BlockCode = null, string? BlockReason = null)
{
    public bool Blocked => BlockCode is not null;
}

/// <summary>
/// What the node executor applies around every step, shared by both hosts: PII screening of the prompt before a
/// provider sees it and of the reply after, and prompt-injection screening of what tools return.
/// </summary>
public sealed class GovernanceScreen(GovernanceDefaults defaults)
{
    public const string PiiBlocked = "PII_BLOCKED";
    public const string InjectionBlocked = "INJECTION_BLOCKED";

    public Screened Pii(string text, GovernanceSettings? graph, PiiDirection direction)
    {
        var policy = new PiiPolicy(
            ParseMode(graph?.PiiInput) ?? defaults.PiiInput,
            ParseMode(graph?.PiiOutput) ?? defaults.PiiOutput);
        var screening = PiiRedactor.Screen(text, policy, direction);
        var side = direction == PiiDirection.Input ? "input" : "output";
        var redactions = screening.Outcome == PiiOutcome.Redacted
            ? screening.Findings.Select(f => new Redaction(f.Kind.ToString().ToLowerInvariant(), f.Start, f.Length, side)).ToList()
            : [];
        return screening.MayProceed
            ? new Screened(screening.Text, redactions)
            : new Screened(text, [], PiiBlocked, $"the {side} contains personal data or secrets ({string.Join(", ", screening.Kinds).ToLowerInvariant()}) and the policy blocks it");
    }

    /// <summary>Tool-returned content is judged as content (stricter than a user's own words).</summary>
    public Screened ToolResult(string text, GovernanceSettings? graph)
    {
        var policy = new InjectionPolicy(graph?.InjectionThreshold ?? defaults.InjectionThreshold, ParseAction(graph?.InjectionAction) ?? defaults.InjectionAction);
        var decision = InjectionGate.Check(text, ContentSource.ToolResult, policy);

        // Approval of tool content after the fact is not offered yet: above the threshold it is blocked either way.
        return decision.Action == InjectionAction.Allow
            ? new Screened(text, [])
            : new Screened(text, [], InjectionBlocked, string.Create(CultureInfo.InvariantCulture, $"prompt injection in tool output (score {decision.Assessment.Score:0.00}: {string.Join(", ", decision.Assessment.SignalNames)})"));
    }

    internal static PiiMode? ParseMode(string? text) => text?.ToLowerInvariant() switch
    {
        "off" => PiiMode.Off,
        "redact" => PiiMode.Redact,
        "block" => PiiMode.Block,
        _ => null,
    };

    internal static InjectionAction? ParseAction(string? text) => text?.ToLowerInvariant() switch
    {
        "block" => InjectionAction.Block,
        "require_approval" => InjectionAction.RequireApproval,
        "allow" => InjectionAction.Allow,
        _ => null,
    };
}
