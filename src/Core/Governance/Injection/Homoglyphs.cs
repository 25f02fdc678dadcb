namespace Warden.Core.Governance.Injection;

/// <summary>
/// Cyrillic, Greek and full-width letters that render like Latin ones. Folding them lets phrase rules see through
/// "іgnоrе" (Cyrillic і, о, е); counting words that mix them with Latin letters is itself a signal.
/// </summary>
internal static class Homoglyphs
{
    public static char Fold(char c) => c switch
    {
        >= '\uFF21' and <= '\uFF3A' => (char)('A' + (c - '\uFF21')),
        >= '\uFF41' and <= '\uFF5A' => (char)('a' + (c - '\uFF41')),
        >= '\uFF10' and <= '\uFF19' => (char)('0' + (c - '\uFF10')),
        'а' or 'А' or 'α' or 'Α' => 'a',
        'В' or 'Β' => 'b',
        'с' or 'С' or 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' or 'Е' or 'ε' or 'Ε' => 'e',
        'һ' or 'Н' or 'Η' => 'h',
        'і' or 'І' or 'ι' or 'Ι' => 'i',
        'ј' or 'Ј' => 'j',
        'К' or 'κ' or 'Κ' => 'k',
        'М' or 'Μ' => 'm',
        'Ν' => 'n',
        'о' or 'О' or 'ο' or 'Ο' => 'o',
        'р' or 'Р' or 'ρ' or 'Ρ' => 'p',
        'ѕ' or 'Ѕ' => 's',
        'Т' or 'Τ' => 't',
        'υ' => 'u',
        'ν' => 'v',
        'х' or 'Х' or 'χ' or 'Χ' => 'x',
        'у' or 'У' or 'Υ' => 'y',
        'Ζ' => 'z',
        _ => c,
    };

    /// <summary>A non-ASCII letter that folds to a Latin one.</summary>
    public static bool IsConfusable(char c) => c > '\u007F' && Fold(c) != c;
}
