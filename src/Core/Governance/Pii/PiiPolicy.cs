namespace Warden.Core.Governance.Pii;

/// <summary>What to do with PII in one direction: nothing, replace it with placeholders, or refuse the text.</summary>
public enum PiiMode
{
    Off,
    Redact,
    Block,
}

/// <summary>Input: what goes to a model provider or a tool. Output: what a step produces.</summary>
public enum PiiDirection
{
    Input,
    Output,
}

/// <summary>
/// A tenant's or graph's PII policy. <see cref="Kinds"/> narrows the kinds acted on (null: all kinds), e.g. a
/// support graph that must pass customer emails through but never card numbers.
/// </summary>
public sealed record PiiPolicy(PiiMode Input, PiiMode Output, IReadOnlySet<PiiKind>? Kinds = null)
{
    public static PiiPolicy Off { get; } = new(PiiMode.Off, PiiMode.Off);

    /// <summary>Redact both ways: the provider and the run's output never carry raw PII.</summary>
    public static PiiPolicy RedactAll { get; } = new(PiiMode.Redact, PiiMode.Redact);

    public PiiMode ModeFor(PiiDirection direction) => direction switch
    {
        PiiDirection.Input => Input,
        PiiDirection.Output => Output,
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "unknown direction"),
    };
}

public enum PiiOutcome
{
    /// <summary>The policy is off for this direction: the text was not inspected.</summary>
    NotChecked,
    Clean,
    Redacted,
    Blocked,
}

/// <summary>
/// The result of screening a text. <see cref="Text"/> is what may travel on: the original when clean or not
/// checked, the redacted text otherwise. When blocked it is the redacted text too, for display in an approval or
/// audit view, and the step must not proceed. <see cref="Findings"/> are positions in the original text.
/// </summary>
public sealed record PiiScreening(PiiOutcome Outcome, string Text, IReadOnlyList<PiiFinding> Findings)
{
    public bool MayProceed => Outcome != PiiOutcome.Blocked;

    /// <summary>The distinct kinds found, in enum order: what a block verdict or an audit row names.</summary>
    public IReadOnlyList<PiiKind> Kinds => [.. Findings.Select(f => f.Kind).Distinct().Order()];
}
