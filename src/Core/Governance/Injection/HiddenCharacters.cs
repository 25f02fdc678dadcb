namespace Warden.Core.Governance.Injection;

/// <summary>Characters that render as nothing or reorder what is shown: the raw material of hidden-text tricks.</summary>
internal static class HiddenCharacters
{
    /// <summary>Zero-width and invisible formatting characters (soft hyphen excepted: word processors emit it).</summary>
    public static bool IsInvisible(char c) => c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\u2061' or '\u2062' or '\u2063' or '\u2064' or '\uFEFF' or '\u180E';

    /// <summary>Embeddings, overrides and isolates. Marks (U+200E, U+200F) are left out: right-to-left text uses them.</summary>
    public static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    /// <summary>Overrides reverse the displayed order of what follows; legitimate text almost never needs them.</summary>
    public static bool IsBidiOverride(char c) => c is '\u202D' or '\u202E';

    /// <summary>Unicode tag characters (U+E0000–E007F) mirror ASCII invisibly: "ASCII smuggling".</summary>
    public static bool IsTag(int codePoint) => codePoint is >= 0xE0000 and <= 0xE007F;

    /// <summary>
    /// Zero-width joiners and non-joiners have real jobs: ZWJ inside emoji sequences, ZWNJ in Persian and Indic
    /// scripts. They only count as hidden when they sit between ASCII characters.
    /// </summary>
    public static bool IsLegitimateJoiner(string text, int i)
    {
        if (text[i] is not ('\u200C' or '\u200D'))
        {
            return false;
        }

        var before = i > 0 ? text[i - 1] : ' ';
        var after = i + 1 < text.Length ? text[i + 1] : ' ';
        return !char.IsAscii(before) || !char.IsAscii(after);
    }
}
