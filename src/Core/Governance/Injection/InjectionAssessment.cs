namespace Warden.Core.Governance.Injection;

/// <summary>
/// Where a text comes from. User input is what the run's caller wrote; tool results and retrieved documents are
/// data that an attacker may control, judged more strictly (see <see cref="InjectionWeights"/>).
/// </summary>
public enum ContentSource
{
    UserInput,
    ToolResult,
    Retrieved,
}

/// <summary>The names of the signals the detector reports; stable wire names for audit rows and dashboards.</summary>
public static class InjectionSignals
{
    public const string InstructionOverride = "instruction_override";
    public const string RoleOverride = "role_override";
    public const string FakeTurn = "fake_turn";
    public const string Exfiltration = "exfiltration";
    public const string MarkdownBeacon = "markdown_beacon";
    public const string PromptLeak = "prompt_leak";
    public const string Concealment = "concealment";
    public const string AddressedToModel = "addressed_to_model";
    public const string ZeroWidth = "zero_width";
    public const string TagCharacters = "tag_characters";
    public const string BidiOverride = "bidi_override";
    public const string HiddenHtml = "hidden_html";
    public const string Base64Instructions = "base64_instructions";
    public const string Homoglyphs = "homoglyphs";
}

/// <summary>One piece of evidence: which signal, where in the original text, and what it weighed for this source.</summary>
public sealed record InjectionSignal(string Name, int Start, int Length, double Weight);

/// <summary>
/// The verdict on a text: <see cref="Score"/> in 0..1 combines the strongest occurrence of each signal as
/// independent evidence, 1 − Π(1 − w), so two different weak signals add up and repeating one does not.
/// </summary>
public sealed record InjectionAssessment(ContentSource Source, double Score, IReadOnlyList<InjectionSignal> Signals)
{
    public IReadOnlyList<string> SignalNames => [.. Signals.Select(s => s.Name).Distinct().Order(StringComparer.Ordinal)];
}
