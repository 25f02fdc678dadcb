namespace Warden.Core.Governance.Policies;

/// <summary>Tool-name patterns: <c>*</c> matches any run of characters; everything else matches itself, ignoring case.</summary>
internal static class ToolPattern
{
    public static bool Matches(string pattern, string tool)
    {
        // Greedy glob with one backtrack point: linear for the single-star patterns people write, O(n·m) at worst.
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < tool.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(tool[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>
    /// How specific a rule is, compared in order: an exact name beats any pattern; among patterns, more literal
    /// characters win (<c>crm.contacts.*</c> over <c>crm.*</c> over <c>*</c>); then a rule naming an action class
    /// beats one that applies to any class.
    /// </summary>
    public static (int Exact, int Literals, int Class) Specificity(ToolRule rule) =>
        (rule.Tool.Contains('*', StringComparison.Ordinal) ? 0 : 1, rule.Tool.Count(c => c != '*'), rule.ActionClass is null ? 0 : 1);
}
