using System.Text;

namespace Warden.Core.Governance.Injection;

/// <summary>
/// The text phrase rules read: invisible characters dropped, look-alike letters folded to Latin, lower case.
/// "ig&#x200B;nore prev&#x456;ous instructions" reads as "ignore previous instructions". <see cref="Span"/> maps a
/// range of the normalized text back to the original, so signals point at what the author actually wrote.
/// </summary>
internal sealed class NormalizedText
{
    private readonly int[] _origin;
    private readonly int _originalLength;

    private NormalizedText(string value, int[] origin, int originalLength)
    {
        Value = value;
        _origin = origin;
        _originalLength = originalLength;
    }

    public string Value { get; }

    public static NormalizedText From(string text)
    {
        var value = new StringBuilder(text.Length);
        var origin = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var codePoint = char.ConvertToUtf32(text[i], text[i + 1]);
                if (!HiddenCharacters.IsTag(codePoint))
                {
                    value.Append(text[i]).Append(text[i + 1]);
                    origin.Add(i);
                    origin.Add(i + 1);
                }

                i++;
                continue;
            }

            if (HiddenCharacters.IsInvisible(text[i]) || HiddenCharacters.IsBidiControl(text[i]))
            {
                continue;
            }

            value.Append(char.ToLowerInvariant(Homoglyphs.Fold(text[i])));
            origin.Add(i);
        }

        return new NormalizedText(value.ToString(), [.. origin], text.Length);
    }

    /// <summary>The original (start, length) of normalized characters [start, start + length).</summary>
    public (int Start, int Length) Span(int start, int length)
    {
        if (_origin.Length == 0)
        {
            return (0, 0);
        }

        var first = _origin[Math.Min(start, _origin.Length - 1)];
        var last = length == 0 ? first - 1 : _origin[Math.Min(start + length, _origin.Length) - 1];
        return (first, Math.Min(_originalLength, last + 1) - first);
    }
}
