using System.Globalization;
using System.Text;

namespace Warden.Core.Testing;

/// <summary>
/// Token-set similarity for <c>similar_to</c>: both texts are lower-cased and split into runs of letters and
/// digits; the score is the Jaccard index of the two token sets, |A ∩ B| / |A ∪ B|, in [0, 1]. Word order and
/// repetition do not count; two empty texts score 1. Cheap, deterministic and explainable, which a CI gate needs;
/// it measures shared vocabulary, not meaning.
/// </summary>
public static class TokenSimilarity
{
    public static double Score(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var left = Tokens(a);
        var right = Tokens(b);
        if (left.Count == 0 && right.Count == 0)
        {
            return 1d;
        }

        var shared = left.Count(right.Contains);
        return (double)shared / (left.Count + right.Count - shared);
    }

    public static HashSet<string> Tokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        var current = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLower(c, CultureInfo.InvariantCulture));
            }
            else if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }
}
