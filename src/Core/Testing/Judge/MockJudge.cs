using System.Globalization;
using System.Text.Json;

namespace Warden.Core.Testing.Judge;

/// <summary>
/// How the mock provider grades a judge prompt, deterministically: the rubric's keywords are its distinct words of
/// four or more letters, less a few common ones (<see cref="Common"/>); the score is the share of them the output
/// contains (ignoring case; a keyword matches inside a longer word, so "limit" matches "limiter"), rounded down to
/// two decimals. A rubric without keywords scores 1. The reply is the JSON a real judge is asked for.
/// </summary>
public static class MockJudge
{
    /// <summary>Words a rubric uses to talk about the output rather than about what it must hold.</summary>
    public static readonly IReadOnlySet<string> Common = new HashSet<string>(StringComparer.Ordinal)
    {
        "about", "answer", "contain", "contains", "does", "each", "from", "have", "include", "includes", "into", "mention",
        "mentions", "must", "output", "response", "should", "that", "their", "them", "then", "there", "these", "they",
        "this", "those", "with", "without", "when", "which", "will", "would", "your",
    };

    public static string Reply(string prompt)
    {
        var (rubric, output) = JudgePrompt.Read(prompt);
        var (score, found, missing) = Grade(rubric, output);
        var reason = missing.Count == 0
            ? $"mock judge: the output covers all {found.Count} rubric keyword(s)"
            : $"mock judge: {found.Count} of {found.Count + missing.Count} rubric keywords found; missing: {string.Join(", ", missing)}";
        return JsonSerializer.Serialize(new Dictionary<string, object> { ["score"] = score, ["reason"] = reason });
    }

    public static (double Score, IReadOnlyList<string> Found, IReadOnlyList<string> Missing) Grade(string rubric, string output)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        ArgumentNullException.ThrowIfNull(output);
        var keywords = Keywords(rubric);
        var lower = output.ToLowerInvariant();
        var found = keywords.Where(k => lower.Contains(k, StringComparison.Ordinal)).ToList();
        var missing = keywords.Except(found, StringComparer.Ordinal).ToList();
        var score = keywords.Count == 0 ? 1d : Math.Floor(100d * found.Count / keywords.Count) / 100d;
        return (score, found, missing);
    }

    public static IReadOnlyList<string> Keywords(string rubric)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= rubric.Length; i++)
        {
            var letter = i < rubric.Length && char.IsLetterOrDigit(rubric[i]);
            if (letter && start < 0)
            {
                start = i;
            }
            else if (!letter && start >= 0)
            {
                var word = rubric[start..i].ToLower(CultureInfo.InvariantCulture);
                if (word.Length >= 4 && word.Any(char.IsLetter) && !Common.Contains(word) && !words.Contains(word))
                {
                    words.Add(word);
                }

                start = -1;
            }
        }

        return words;
    }
}
