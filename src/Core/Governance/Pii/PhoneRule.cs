namespace Warden.Core.Governance.Pii;

/// <summary>
/// Phone numbers in the formats people write, from digit groups (see <see cref="DigitRuns"/>):
/// <list type="bullet">
/// <item>international: <c>+</c> or <c>00</c>, then 8–15 digits (E.164), with or without separators
/// (<c>+44 (0)20 7946 0958</c>, <c>+4930123456</c>, <c>0049 30 1234567</c>);</item>
/// <item>North American: <c>(415) 555-0132</c>, <c>415.555.0132</c>, <c>1-415-555-0132</c>; area and exchange
/// codes start with 2–9;</item>
/// <item>national with a trunk 0 (UK, FR, DE, NL, ...): <c>020 7946 0958</c>, <c>01 23 45 67 89</c>,
/// <c>030/12345678</c>: 10–12 digits, one separator throughout, groups of two when the separator is a dot;</item>
/// <item>unseparated national numbers (<c>07700900123</c>, <c>4155550132</c>) only after a word like "phone",
/// "call" or "tel" in the 32 characters before, since bare digit runs are usually ids.</item>
/// </list>
/// Dates, years, amounts, versions and ids fail these shapes: too few digits, mixed separators, a currency sign,
/// '#' or a letter glued to the number, or a run that continues with '-' or '.'.
/// </summary>
internal static class PhoneRule
{
    private const string Separators = " -./";
    private const int ContextWindow = 32;
    private static readonly string[] Keywords = ["phone", "tel", "call", "mobile", "cell", "fax", "whatsapp", "sms", "text me", "ring"];

    public static void Find(string text, List<PiiFinding> into)
    {
        var i = 0;
        while (i < text.Length)
        {
            var plus = text[i] == '+' && char.IsAsciiDigit(TextScan.At(text, i + 1));
            var runStart = plus ? i + 1 : i;
            if ((plus || char.IsAsciiDigit(text[i]) || text[i] == '(') && FreeBefore(text, i))
            {
                var groups = DigitRuns.Scan(text, runStart, Separators, parentheses: true);
                if (groups.Count > 0)
                {
                    FindInRun(text, groups, plus ? i : -1, into);
                    i = groups[^1].End;
                    continue;
                }
            }

            i++;
        }
    }

    /// <summary>
    /// Splits a run into phone numbers: of all ways to cut it into valid numbers (each starting after a space or at
    /// the run's start), take the one covering the most groups, then the one with fewer, longer numbers. So
    /// "+44 20 7946 0958 020 7946 0958" is two numbers, not "+44 20 7946 0958 020" and a stray rest. Right to
    /// left over the groups, each trying at most a number's worth of windows: linear in the run.
    /// </summary>
    private static void FindInRun(string text, List<DigitGroup> groups, int plusAt, List<PiiFinding> into)
    {
        var n = groups.Count;
        var covered = new int[n + 1];
        var numbers = new int[n + 1];
        var choice = new int[n + 1];
        for (var i = n - 1; i >= 0; i--)
        {
            (covered[i], numbers[i], choice[i]) = (covered[i + 1], numbers[i + 1], -1);
            if (i > 0 && groups[i].SeparatorBefore != ' ')
            {
                continue;
            }

            foreach (var end in ValidEnds(text, groups, i, i == 0 && plusAt >= 0))
            {
                var (c, k) = (end - i + 1 + covered[end + 1], 1 + numbers[end + 1]);
                if (c > covered[i] || (c == covered[i] && k <= numbers[i]))
                {
                    (covered[i], numbers[i], choice[i]) = (c, k, end);
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            if (choice[i] >= 0)
            {
                var start = i == 0 && plusAt >= 0 ? plusAt : groups[i].Start;
                into.Add(new PiiFinding(PiiKind.Phone, start, groups[choice[i]].End - start, "phone"));
                i = choice[i];
            }
        }
    }

    /// <summary>The last groups of the phone numbers that start at group <paramref name="first"/>, in increasing order.</summary>
    private static List<int> ValidEnds(string text, List<DigitGroup> groups, int first, bool plus)
    {
        var ends = new List<int>();
        var digits = 0;
        for (var last = first; last < groups.Count && digits <= 17; last++)
        {
            digits += groups[last].Digits;
            if (digits < 8)
            {
                continue;
            }

            var endsCleanly = last == groups.Count - 1 ? FreeAfter(text, groups[last].End) : groups[last + 1].SeparatorBefore == ' ';
            if (endsCleanly && IsPhone(text, groups, first, last, plus))
            {
                ends.Add(last);
            }
        }

        return ends;
    }

    private static bool IsPhone(string text, List<DigitGroup> groups, int first, int last, bool plus)
    {
        var count = last - first + 1;
        var leadingZero = text[groups[first].DigitStart] == '0';
        if (!plus && !leadingZero && count is not (1 or 3 or 4))
        {
            // Only North American numbers start with another digit: bare after a keyword, or in three or four groups.
            return false;
        }

        if (!plus && leadingZero && groups[first].Digits < 2)
        {
            // A trunk prefix or "00" is written with the digits that follow it: "020 ...", "0044 ...".
            return false;
        }

        var digits = DigitRuns.DigitsOf(text, groups, first, last);
        var separators = SeparatorsOf(groups, first, last);
        if (plus)
        {
            // A "(0)" after the country code is the trunk prefix written for national callers: not dialled.
            var dialled = digits.Length - (count > 1 && groups[first + 1] is { Parenthesized: true } g && text[g.DigitStart] == '0' && g.Digits == 1 ? 1 : 0);
            return dialled is >= 8 and <= 15 && digits[0] != '0' && !separators.Contains('/', StringComparison.Ordinal);
        }

        if (count == 1)
        {
            return (IsNorthAmerican(digits) || IsTrunkNational(digits)) && TextScan.KeywordBefore(text, groups[first].Start, ContextWindow, Keywords);
        }

        if (digits.StartsWith("00", StringComparison.Ordinal))
        {
            return digits.Length - 2 is >= 8 and <= 15 && digits[2] != '0' && !separators.Contains('/', StringComparison.Ordinal);
        }

        return IsNorthAmericanGroups(text, groups, first, last, digits, separators) || IsTrunkNationalGroups(groups, first, last, digits, separators);
    }

    private static bool IsNorthAmericanGroups(string text, List<DigitGroup> groups, int first, int last, string digits, string separators)
    {
        var lengths = new int[last - first + 1];
        for (var g = first; g <= last; g++)
        {
            lengths[g - first] = groups[g].Digits;
        }

        var shapeOk = lengths switch
        {
            [3, 3, 4] => true,
            [1, 3, 3, 4] => text[groups[first].DigitStart] == '1',
            _ => false,
        };
        var parenOk = true;
        for (var g = first; g <= last; g++)
        {
            // Only the area code may be in parentheses.
            parenOk &= !groups[g].Parenthesized || g == last - 2;
        }

        var dotted = separators.Contains('.', StringComparison.Ordinal);
        return shapeOk && parenOk && !separators.Contains('/', StringComparison.Ordinal)
            && (!dotted || separators.Trim('.').Length == 0)
            && IsNorthAmerican(digits.Length == 11 ? digits[1..] : digits);
    }

    private static bool IsTrunkNationalGroups(List<DigitGroup> groups, int first, int last, string digits, string separators)
    {
        if (!IsTrunkNational(digits) && !(digits.Length == 12 && digits[0] == '0' && digits[1] != '0'))
        {
            return false;
        }

        var sameSeparator = separators.Replace('\0', ' ').Distinct().Count() == 1;
        var groupsOk = groups[first].Digits >= 2;
        for (var g = first + 1; g <= last; g++)
        {
            groupsOk &= !groups[g].Parenthesized && (separators[0] == '.' ? groups[g].Digits == 2 : groups[g].Digits >= 2);
        }

        return sameSeparator && groupsOk;
    }

    /// <summary>NANP: area code and exchange start with 2–9.</summary>
    private static bool IsNorthAmerican(string digits) =>
        (digits.Length == 10 && digits[0] >= '2' && digits[3] >= '2')
        || (digits.Length == 11 && digits[0] == '1' && digits[1] >= '2' && digits[4] >= '2');

    private static bool IsTrunkNational(string digits) => digits.Length is 10 or 11 && digits[0] == '0' && digits[1] != '0';

    private static string SeparatorsOf(List<DigitGroup> groups, int first, int last)
    {
        var chars = new char[last - first];
        for (var g = first + 1; g <= last; g++)
        {
            chars[g - first - 1] = groups[g].SeparatorBefore;
        }

        return new string(chars);
    }

    /// <summary>Not glued to a word, and not after a sign that makes digits an amount, an id or a path.</summary>
    private static bool FreeBefore(string text, int start)
    {
        var before = TextScan.At(text, start - 1);
        return before == '\0' || (!TextScan.IsWordChar(before) && "#$€£¥@+-./\\%*&".IndexOf(before, StringComparison.Ordinal) < 0);
    }

    private static bool FreeAfter(string text, int end) =>
        TextScan.FreeAfter(text, end) && "%€$£¥°".IndexOf(TextScan.At(text, end), StringComparison.Ordinal) < 0 && !(TextScan.At(text, end) == ':' && char.IsAsciiDigit(TextScan.At(text, end + 1)));
}
