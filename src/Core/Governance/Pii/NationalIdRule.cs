using System.Text.RegularExpressions;

namespace Warden.Core.Governance.Pii;

/// <summary>
/// National identifiers, two countries so far:
/// <list type="bullet">
/// <item><c>us_ssn</c>: US Social Security numbers written <c>123-45-6789</c> or <c>123 45 6789</c>, or nine bare
/// digits after "SSN" / "social security"; never issued ranges are skipped (area 000, 666, 900–999; group 00;
/// serial 0000) and so are the two numbers published in advertising (078-05-1120, 219-09-9999).</item>
/// <item><c>uk_nino</c>: UK National Insurance numbers <c>AB 12 34 56 C</c> / <c>AB123456C</c> in capitals, with
/// the prefix letters HMRC allocates (not D, F, I, Q, U, V; second letter not O; not BG, GB, KN, NK, NT, TN, ZZ).</item>
/// </list>
/// Other countries' ids (passport numbers, tax ids, Aadhaar, ...) are not detected.
/// </summary>
internal static partial class NationalIdRule
{
    private static readonly string[] SsnKeywords = ["ssn", "social security", "soc. sec", "ss#"];

    [GeneratedRegex(@"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b|\b[0-9]{3} [0-9]{2} [0-9]{4}\b|\b[0-9]{9}\b", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex SsnCandidate();

    [GeneratedRegex(@"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex NinoCandidate();

    public static void Find(string text, List<PiiFinding> into)
    {
        foreach (var match in SsnCandidate().EnumerateMatches(text))
        {
            var value = text.AsSpan(match.Index, match.Length);
            var bare = match.Length == 9;
            if (IsIssuableSsn(value) && FreeAround(text, match.Index, match.Length)
                && (!bare || TextScan.KeywordBefore(text, match.Index, 24, SsnKeywords)))
            {
                into.Add(new PiiFinding(PiiKind.NationalId, match.Index, match.Length, "us_ssn"));
            }
        }

        foreach (var match in NinoCandidate().EnumerateMatches(text))
        {
            var prefix = text.AsSpan(match.Index, 2);
            if (prefix is not ("BG" or "GB" or "KN" or "NK" or "NT" or "TN" or "ZZ"))
            {
                into.Add(new PiiFinding(PiiKind.NationalId, match.Index, match.Length, "uk_nino"));
            }
        }
    }

    private static bool IsIssuableSsn(ReadOnlySpan<char> value)
    {
        Span<char> digits = stackalloc char[9];
        var n = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                digits[n++] = c;
            }
        }

        var area = int.Parse(digits[..3], provider: System.Globalization.CultureInfo.InvariantCulture);
        var invalid = area is 0 or 666 or >= 900
            || digits.Slice(3, 2) is "00"
            || digits.Slice(5, 4) is "0000"
            || digits is "078051120" or "219099999";
        return !invalid;
    }

    /// <summary>Not part of a longer dashed or dotted number (<c>2023-12-34-5678</c>, <c>v1.123-45-6789</c>) nor an order or amount.</summary>
    private static bool FreeAround(string text, int start, int length)
    {
        var before = TextScan.At(text, start - 1);
        var joinedBefore = before is '-' or '.' or '/' && char.IsAsciiDigit(TextScan.At(text, start - 2));
        return TextScan.FreeAfter(text, start + length) && !joinedBefore && before is not ('#' or '$');
    }
}
