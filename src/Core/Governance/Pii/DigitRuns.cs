namespace Warden.Core.Governance.Pii;

/// <summary>
/// One group of a digit run: digits, or digits in parentheses (<c>(415)</c>, <c>(0)</c>).
/// <see cref="SeparatorBefore"/> is the character that joined it to the previous group ('\0' for none).
/// </summary>
internal readonly record struct DigitGroup(int Start, int End, char SeparatorBefore, bool Parenthesized)
{
    public int DigitStart => Parenthesized ? Start + 1 : Start;

    public int DigitEnd => Parenthesized ? End - 1 : End;

    public int Digits => DigitEnd - DigitStart;
}

/// <summary>
/// Splits text like <c>+44 (0)20 7946-0958</c> into digit groups joined by single separators. Phone and card
/// detection work on windows of whole groups, so a number is never cut inside a group, and a window only starts
/// or ends mid-run at a space (<c>2024 415-555-0132</c> holds a phone; <c>12-415-555-0132</c> does not).
/// A scan reads each character once and the caller resumes after the run: linear time.
/// </summary>
internal static class DigitRuns
{
    public static List<DigitGroup> Scan(string text, int start, string separators, bool parentheses)
    {
        var groups = new List<DigitGroup>();
        var i = start;
        var separator = '\0';
        while (TryGroup(text, i, parentheses, out var group))
        {
            groups.Add(group with { SeparatorBefore = separator });
            i = group.End;
            var c = TextScan.At(text, i);
            if (separators.Contains(c, StringComparison.Ordinal) && c != '\0' && StartsGroup(text, i + 1, parentheses))
            {
                separator = c;
                i++;
            }
            else if (parentheses && (group.Parenthesized ? StartsGroup(text, i, parentheses) : c == '('))
            {
                separator = '\0';
            }
            else
            {
                break;
            }
        }

        return groups;
    }

    /// <summary>The ASCII digits of groups [first, last], separators and parentheses dropped.</summary>
    public static string DigitsOf(string text, List<DigitGroup> groups, int first, int last)
    {
        var digits = new System.Text.StringBuilder();
        for (var g = first; g <= last; g++)
        {
            digits.Append(text, groups[g].DigitStart, groups[g].Digits);
        }

        return digits.ToString();
    }

    private static bool StartsGroup(string text, int i, bool parentheses) =>
        char.IsAsciiDigit(TextScan.At(text, i)) || (parentheses && TextScan.At(text, i) == '(' && char.IsAsciiDigit(TextScan.At(text, i + 1)));

    private static bool TryGroup(string text, int i, bool parentheses, out DigitGroup group)
    {
        group = default;
        if (parentheses && TextScan.At(text, i) == '(')
        {
            var close = i + 1;
            while (char.IsAsciiDigit(TextScan.At(text, close)))
            {
                close++;
            }

            if (close == i + 1 || close - i - 1 > 5 || TextScan.At(text, close) != ')')
            {
                return false;
            }

            group = new DigitGroup(i, close + 1, '\0', true);
            return true;
        }

        var end = i;
        while (char.IsAsciiDigit(TextScan.At(text, end)))
        {
            end++;
        }

        group = new DigitGroup(i, end, '\0', false);
        return end > i;
    }
}
