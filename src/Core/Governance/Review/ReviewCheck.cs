using System.Text.RegularExpressions;
using Warden.Core.Governance.Pii;

namespace Warden.Core.Governance.Review;

/// <summary>
/// The reviewer node's mechanical checks on an executor's output, before or instead of a model's judgement:
/// <list type="number">
/// <item>Block when the output carries a secret, payment card number, national id or IBAN
/// (<see cref="ReviewOptions.BlockOnSensitivePii"/>).</item>
/// <item>Revise when a citation names no given source (<c>[7]</c> with five sources).</item>
/// <item>Revise when more claims than <see cref="ReviewOptions.MaxUncitedClaims"/> cite nothing. A claim is a
/// sentence of four or more words, not a question, that carries a quantity (a percentage, a year, a number of two
/// or more digits, a decimal) or a reporting cue ("according to", "study", "reported", "grew", ...); a sentence
/// with a citation is a claim. With no sources given, uncited claims are not flagged: there is nothing to cite.</item>
/// </list>
/// Otherwise pass. Reasons list every problem found, including tolerated uncited claims.
/// </summary>
public static partial class ReviewCheck
{
    [GeneratedRegex(@"[0-9]+(?:[.,][0-9]+)?\s*%|\b(?:1[6-9]|20)[0-9]{2}\b|\b[0-9]+[.,][0-9]+\b|\b[0-9]{2,}\b", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Quantity();

    [GeneratedRegex(@"\b(?:according\s+to|reported|reports|found|finds|shows?|showed|study|studies|survey|research|data|percent|increased|decreased|grew|fell|rose|announced|published|estimated|measured|caused|causes|leads?\s+to|led\s+to|is\s+the\s+(?:largest|smallest|first|only|most|least))\b", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ReportingCue();

    public static ReviewResult Check(IReadOnlyList<ReviewSource> sources, string output, ReviewOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(output);
        options ??= ReviewOptions.Default;
        var ids = sources.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var reasons = new List<ReviewReason>();

        var sensitive = options.BlockOnSensitivePii
            ? PiiDetector.Detect(output).Where(f => f.Kind is PiiKind.Secret or PiiKind.PaymentCard or PiiKind.NationalId or PiiKind.Iban).ToList()
            : [];
        reasons.AddRange(sensitive.Select(f => new ReviewReason(ReviewReasonCodes.SensitivePii, f.Start, f.Length, $"output contains a {PiiKinds.WireName(f.Kind)}")));

        var unknown = 0;
        var uncited = 0;
        foreach (var (start, length) in Sentences.Split(output))
        {
            var citations = Citations.Find(output, start, length);
            foreach (var (id, at, markerLength) in citations.Where(c => !ids.Contains(c.Id)))
            {
                unknown++;
                reasons.Add(new ReviewReason(ReviewReasonCodes.UnknownSource, at, markerLength, $"[{id}] matches none of the {sources.Count} sources"));
            }

            if (citations.Count == 0 && sources.Count > 0 && IsClaim(output.Substring(start, length)))
            {
                uncited++;
                reasons.Add(new ReviewReason(ReviewReasonCodes.UncitedClaim, start, length, "claim cites no source"));
            }
        }

        var verdict = (sensitive.Count, unknown, uncited) switch
        {
            ( > 0, _, _) => ReviewVerdict.Block,
            (_, > 0, _) => ReviewVerdict.Revise,
            (_, _, var n) when n > options.MaxUncitedClaims => ReviewVerdict.Revise,
            _ => ReviewVerdict.Pass,
        };
        return new ReviewResult(verdict, reasons);
    }

    internal static bool IsClaim(string sentence)
    {
        var text = Citations.Strip(sentence).Trim();
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        return words >= 4 && !text.EndsWith('?') && (Quantity().IsMatch(text) || ReportingCue().IsMatch(text));
    }
}
