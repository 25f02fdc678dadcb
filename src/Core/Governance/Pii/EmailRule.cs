using System.Text.RegularExpressions;

namespace Warden.Core.Governance.Pii;

/// <summary>
/// Email addresses: a local part, '@', dotted host labels and an alphabetic top-level domain. Retina asset names
/// (<c>icon@2x.png</c>) and package specs (<c>lodash@4.17.21</c>) are not addresses: a numeric TLD fails the
/// pattern and common file extensions are refused as TLDs.
/// </summary>
internal static partial class EmailRule
{
    private static readonly HashSet<string> FileExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "js", "css", "json", "yaml", "yml", "lock", "html",
    };

    [GeneratedRegex(
        @"[A-Za-z0-9_%+-](?:[A-Za-z0-9._%+-]*[A-Za-z0-9_%+-])?@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}",
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Candidate();

    public static void Find(string text, List<PiiFinding> into)
    {
        foreach (var match in Candidate().EnumerateMatches(text))
        {
            var end = match.Index + match.Length;
            var tld = text.AsSpan(text.LastIndexOf('.', end - 1) + 1, end - text.LastIndexOf('.', end - 1) - 1);
            if (!TextScan.IsWordChar(TextScan.At(text, end)) && !FileExtensions.Contains(tld.ToString()))
            {
                into.Add(new PiiFinding(PiiKind.Email, match.Index, match.Length, "email"));
            }
        }
    }
}
