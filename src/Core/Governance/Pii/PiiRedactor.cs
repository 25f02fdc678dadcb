using System.Text;

namespace Warden.Core.Governance.Pii;

/// <summary>Applies a <see cref="PiiPolicy"/> to a text: the call the runtime makes before a provider sees an input and after a step produces an output.</summary>
public static class PiiRedactor
{
    public static PiiScreening Screen(string text, PiiPolicy policy, PiiDirection direction)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(policy);
        var mode = policy.ModeFor(direction);
        if (mode == PiiMode.Off)
        {
            return new PiiScreening(PiiOutcome.NotChecked, text, []);
        }

        var findings = PiiDetector.Detect(text).Where(f => policy.Kinds is null || policy.Kinds.Contains(f.Kind)).ToList();
        if (findings.Count == 0)
        {
            return new PiiScreening(PiiOutcome.Clean, text, findings);
        }

        var outcome = mode switch
        {
            PiiMode.Redact => PiiOutcome.Redacted,
            PiiMode.Block => PiiOutcome.Blocked,
            _ => throw new ArgumentOutOfRangeException(nameof(policy), mode, "unknown PII mode"),
        };
        return new PiiScreening(outcome, Redact(text, findings), findings);
    }

    /// <summary>
    /// Replaces each finding with its placeholder (<c>[REDACTED:email]</c>); text between findings is kept as is.
    /// Findings must be ordered and must not overlap, as <see cref="PiiDetector.Detect"/> returns them.
    /// </summary>
    public static string Redact(string text, IReadOnlyList<PiiFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(findings);
        var result = new StringBuilder(text.Length);
        var at = 0;
        foreach (var finding in findings)
        {
            if (finding.Start < at || finding.End > text.Length)
            {
                throw new ArgumentException("findings must be ordered, non-overlapping and inside the text", nameof(findings));
            }

            result.Append(text, at, finding.Start - at).Append(PiiKinds.Placeholder(finding.Kind));
            at = finding.End;
        }

        return result.Append(text, at, text.Length - at).ToString();
    }
}
