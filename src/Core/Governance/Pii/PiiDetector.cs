namespace Warden.Core.Governance.Pii;

/// <summary>
/// Finds personal data and secrets in a text: positions and kinds, never values. Every rule is a
/// NonBacktracking regex or a single forward scan, so time grows linearly with the text and no input can make
/// detection hang; no regex timeout is needed (Core has no clock). Deterministic: same text, same findings.
/// </summary>
public static class PiiDetector
{
    /// <summary>
    /// Rules in precedence order: keyed and checksummed formats first, loose formats last. Text an earlier rule
    /// claims is hidden from later ones, so the digits of an IBAN are not also a card number, the password in a
    /// URL is not the start of an email address, and a phone scan never runs across an IBAN.
    /// </summary>
    private static readonly Action<string, List<PiiFinding>>[] Rules =
    [
        SecretRule.Find,
        IbanRule.Find,
        PaymentCardRule.Find,
        NationalIdRule.Find,
        EmailRule.Find,
        PhoneRule.Find,
    ];

    /// <summary>All findings, ordered by position and never overlapping.</summary>
    public static IReadOnlyList<PiiFinding> Detect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<PiiFinding>();
        var claimed = new bool[text.Length];
        var view = text;
        foreach (var rule in Rules)
        {
            var candidates = new List<PiiFinding>();
            rule(view, candidates);
            var kept = Claim(candidates, claimed);
            if (kept.Count > 0)
            {
                findings.AddRange(kept);
                view = Hide(view, kept);
            }
        }

        findings.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        return findings;
    }

    /// <summary>
    /// Within one rule the longer candidate wins an overlap (an assignment's value over the key pattern inside it),
    /// then the earlier one. A rule's own scans never overlap themselves, so marking costs at most the text length
    /// per scan.
    /// </summary>
    private static List<PiiFinding> Claim(List<PiiFinding> candidates, bool[] claimed)
    {
        candidates.Sort(static (a, b) => b.Length != a.Length ? b.Length.CompareTo(a.Length) : a.Start.CompareTo(b.Start));
        var kept = new List<PiiFinding>();
        foreach (var candidate in candidates)
        {
            var span = claimed.AsSpan(candidate.Start, candidate.Length);
            if (!span.Contains(true))
            {
                span.Fill(true);
                kept.Add(candidate);
            }
        }

        return kept;
    }

    private static string Hide(string view, List<PiiFinding> kept) =>
        string.Create(view.Length, (view, kept), static (chars, state) =>
        {
            state.view.AsSpan().CopyTo(chars);
            foreach (var finding in state.kept)
            {
                // NUL stands in for claimed text: neither a word character nor a separator, it bounds matches like a text edge.
                chars.Slice(finding.Start, finding.Length).Clear();
            }
        });
}
