namespace Warden.Core.Governance.Injection;

/// <summary>
/// Scores a text for prompt injection: instruction overrides, role overrides and fake turns, exfiltration
/// requests and image beacons, attempts to read the system prompt or to hide actions from the user, and hidden
/// text (zero-width, tag and bidi characters, hidden HTML, base64-encoded instructions, look-alike letters).
/// Pure, deterministic and linear in the text's length (NonBacktracking regexes and single scans).
/// </summary>
public static class InjectionDetector
{
    /// <summary>
    /// Occurrences reported per signal name, the strongest first: enough to show a reviewer where to look, and an
    /// adversarial text with thousands of repeats cannot bloat audit rows. The score is computed before the cap.
    /// </summary>
    public const int MaxOccurrencesPerSignal = 16;

    public static InjectionAssessment Assess(string text, ContentSource source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<InjectionSignal>();
        PhraseRules.Find(NormalizedText.From(text), source, found);
        HiddenTextRules.Find(text, source, found);
        var signals = found
            .GroupBy(s => s.Name, StringComparer.Ordinal)
            .SelectMany(g => g.OrderByDescending(s => s.Weight).ThenBy(s => s.Start).Take(MaxOccurrencesPerSignal))
            .OrderBy(s => s.Start)
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
        return new InjectionAssessment(source, Score(found), signals);
    }

    /// <summary>Noisy-OR over the strongest occurrence of each signal name.</summary>
    private static double Score(List<InjectionSignal> signals)
    {
        var clean = 1.0;
        foreach (var group in signals.GroupBy(s => s.Name, StringComparer.Ordinal))
        {
            clean *= 1 - group.Max(s => s.Weight);
        }

        return Math.Round(1 - clean, 4);
    }
}
