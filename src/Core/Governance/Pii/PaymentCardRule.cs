namespace Warden.Core.Governance.Pii;

/// <summary>
/// Payment card numbers: 13–19 digits, bare or in groups joined by one kind of separator (space or dash) with a
/// first group of four, starting with an issuer prefix card networks use (2221–2720, 30, 34–39, 4, 51–55, 6),
/// and passing Luhn. A Luhn failure, a foreign prefix or ragged grouping leaves the digits alone.
/// </summary>
internal static class PaymentCardRule
{
    public static void Find(string text, List<PiiFinding> into)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsAsciiDigit(text[i]) && TextScan.FreeBefore(text, i) && TextScan.At(text, i - 1) is not ('-' or '.' or '#' or '/'))
            {
                var groups = DigitRuns.Scan(text, i, " -", parentheses: false);
                FindInRun(text, groups, into);
                i = groups[^1].End;
                continue;
            }

            i++;
        }
    }

    private static void FindInRun(string text, List<DigitGroup> groups, List<PiiFinding> into)
    {
        for (var first = 0; first < groups.Count; first++)
        {
            if (first > 0 && groups[first].SeparatorBefore != ' ')
            {
                continue;
            }

            var best = -1;
            var digits = 0;
            for (var last = first; last < groups.Count && digits < 19; last++)
            {
                digits += groups[last].Digits;
                if (digits < 13)
                {
                    continue;
                }

                var endsCleanly = last == groups.Count - 1 ? TextScan.FreeAfter(text, groups[last].End) : groups[last + 1].SeparatorBefore == ' ';
                if (endsCleanly && digits <= 19 && IsCard(text, groups, first, last))
                {
                    best = last;
                }
            }

            if (best >= 0)
            {
                into.Add(new PiiFinding(PiiKind.PaymentCard, groups[first].Start, groups[best].End - groups[first].Start, "payment_card"));
                first = best;
            }
        }
    }

    private static bool IsCard(string text, List<DigitGroup> groups, int first, int last)
    {
        if (last > first && groups[first].Digits != 4)
        {
            return false;
        }

        for (var g = first + 1; g <= last; g++)
        {
            if (groups[g].Digits is < 2 or > 6 || groups[g].SeparatorBefore != groups[first + 1].SeparatorBefore)
            {
                return false;
            }
        }

        var digits = DigitRuns.DigitsOf(text, groups, first, last);
        return HasIssuerPrefix(digits) && Checksums.Luhn(digits);
    }

    private static bool HasIssuerPrefix(string digits)
    {
        var two = (digits[0] - '0') * 10 + (digits[1] - '0');
        var four = two * 100 + (digits[2] - '0') * 10 + (digits[3] - '0');
        return digits[0] switch
        {
            '2' => four is >= 2221 and <= 2720,
            '3' => two is 30 or (>= 34 and <= 39),
            '4' or '6' => true,
            '5' => two is >= 51 and <= 55,
            _ => false,
        };
    }
}
