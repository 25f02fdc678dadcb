namespace Warden.Core.Governance.Pii;

/// <summary>Small character tests the detectors share; they stand in for the lookarounds NonBacktracking lacks.</summary>
internal static class TextScan
{
    public static char At(string text, int index) => index >= 0 && index < text.Length ? text[index] : '\0';

    public static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    /// <summary>A match must not be glued to a word on its left (the engine may start a match mid-token).</summary>
    public static bool FreeBefore(string text, int start) => !IsWordChar(At(text, start - 1));

    /// <summary>A match must not run on into a word or a longer number on its right.</summary>
    public static bool FreeAfter(string text, int end)
    {
        var next = At(text, end);
        if (IsWordChar(next))
        {
            return false;
        }

        // "123-45-6789-0" or "1.5": a joiner followed by a digit continues the number.
        return !(next is '-' or '.' or ',' or '/' && char.IsAsciiDigit(At(text, end + 1)));
    }

    /// <summary>
    /// True when one of <paramref name="keywords"/> starts a word within <paramref name="window"/> characters
    /// before <paramref name="start"/>: the context that makes a bare digit run a phone number or an SSN.
    /// </summary>
    public static bool KeywordBefore(string text, int start, int window, ReadOnlySpan<string> keywords)
    {
        var from = Math.Max(0, start - window);
        var before = text.AsSpan(from, start - from);
        foreach (var keyword in keywords)
        {
            for (var at = before.IndexOf(keyword, StringComparison.OrdinalIgnoreCase); at >= 0;)
            {
                if (!char.IsLetter(At(text, from + at - 1)))
                {
                    return true;
                }

                var next = before[(at + 1)..].IndexOf(keyword, StringComparison.OrdinalIgnoreCase);
                at = next < 0 ? -1 : at + 1 + next;
            }
        }

        return false;
    }

    /// <summary>Shannon entropy in bits per character: random tokens score high, words and repeated characters low.</summary>
    public static double Entropy(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return 0;
        }

        var counts = new Dictionary<char, int>();
        foreach (var c in value)
        {
            counts[c] = counts.GetValueOrDefault(c) + 1;
        }

        var entropy = 0.0;
        foreach (var count in counts.Values)
        {
            var p = (double)count / value.Length;
            entropy -= p * Math.Log2(p);
        }

        return entropy;
    }
}
