using System.Text.RegularExpressions;

namespace Warden.Core.Governance.Review;

/// <summary>Citation markers: <c>[1]</c>, <c>[2, 3]</c>, <c>[1][4]</c>. Brackets after an identifier (<c>items[0]</c>) are indexing, not citations.</summary>
internal static partial class Citations
{
    [GeneratedRegex(@"\[[0-9]{1,4}(?:\s*,\s*[0-9]{1,4})*\]", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Marker();

    /// <summary>Each cited id with the position of its marker.</summary>
    public static List<(string Id, int Start, int Length)> Find(string text, int start, int length)
    {
        var found = new List<(string, int, int)>();
        foreach (var match in Marker().EnumerateMatches(text.AsSpan(start, length)))
        {
            var at = start + match.Index;
            if (at > 0 && (char.IsLetterOrDigit(text[at - 1]) || text[at - 1] == '_'))
            {
                continue;
            }

            foreach (var id in text.Substring(at + 1, match.Length - 2).Split(',', StringSplitOptions.TrimEntries))
            {
                found.Add((id, at, match.Length));
            }
        }

        return found;
    }

    public static bool OnlyMarkers(ReadOnlySpan<char> piece) =>
        Marker().Replace(piece.ToString(), "").Trim().Trim('.').Length == 0 && piece.Contains('[');

    /// <summary>The piece with its citation markers removed, for judging whether the rest reads as a claim.</summary>
    public static string Strip(string piece) => Marker().Replace(piece, "");
}
