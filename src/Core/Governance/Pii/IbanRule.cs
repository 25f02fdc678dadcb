using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Warden.Core.Governance.Pii;

/// <summary>
/// IBANs, compact (<c>DE89370400440532013000</c>) or printed in groups of four (<c>GB82 WEST 1234 5698 7654 32</c>):
/// a known country code, exactly that country's length, and the mod-97 check. The match is cut at the country's
/// length, so words after an IBAN are never swallowed into it.
/// </summary>
internal static partial class IbanRule
{
    /// <summary>Lengths from the SWIFT IBAN registry.</summary>
    private static readonly FrozenDictionary<string, int> Lengths = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22,
        ["BH"] = 22, ["BI"] = 27, ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24,
        ["DE"] = 22, ["DJ"] = 27, ["DK"] = 18, ["DO"] = 28, ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18,
        ["FK"] = 18, ["FO"] = 18, ["FR"] = 27, ["GB"] = 22, ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27,
        ["GT"] = 28, ["HN"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26,
        ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32, ["LI"] = 21, ["LT"] = 20,
        ["LU"] = 20, ["LV"] = 21, ["LY"] = 25, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19, ["MN"] = 20,
        ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NI"] = 28, ["NL"] = 18, ["NO"] = 15, ["OM"] = 23, ["PK"] = 24,
        ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["RU"] = 33, ["SA"] = 24,
        ["SC"] = 31, ["SD"] = 18, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["SO"] = 23, ["ST"] = 25,
        ["SV"] = 28, ["TL"] = 23, ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20,
        ["YE"] = 30,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    [GeneratedRegex(@"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,31}", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Candidate();

    /// <summary>
    /// The candidate pattern is greedy up to the longest IBAN, so it can run into a following IBAN; the search
    /// resumes where the accepted IBAN ends (or just after a rejected start), never after the whole match. A
    /// rejected start costs at most one candidate length of rescanning: still linear.
    /// </summary>
    public static void Find(string text, List<PiiFinding> into)
    {
        for (var match = Candidate().Match(text); match.Success;)
        {
            var next = match.Index + 1;
            if (Lengths.TryGetValue(text.Substring(match.Index, 2), out var length) && TryCut(text, match.Index, match.Length, length, out var end))
            {
                into.Add(new PiiFinding(PiiKind.Iban, match.Index, end - match.Index, "iban"));
                next = end;
            }

            match = Candidate().Match(text, next);
        }
    }

    /// <summary>Takes exactly <paramref name="length"/> alphanumerics from the start; they must end the token and pass mod 97.</summary>
    private static bool TryCut(string text, int start, int matchLength, int length, out int end)
    {
        Span<char> compact = stackalloc char[34];
        var taken = 0;
        end = start;
        while (taken < length && end < start + matchLength)
        {
            if (text[end] != ' ')
            {
                compact[taken++] = text[end];
            }

            end++;
        }

        return taken == length && !char.IsLetterOrDigit(TextScan.At(text, end)) && Checksums.IbanMod97(compact[..taken]);
    }
}
