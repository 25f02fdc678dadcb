using System.Text;
using System.Text.RegularExpressions;

namespace Warden.Core.Governance.Injection;

/// <summary>
/// Hidden-text tricks, read on the original text: characters that render as nothing or reorder the display,
/// markup a browser hides, base64 blobs that decode to instructions, and words that mix look-alike alphabets.
/// </summary>
internal static partial class HiddenTextRules
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private static readonly InjectionWeights FewInvisible = new(0.25, 0.5);
    private static readonly InjectionWeights ManyInvisible = new(0.45, 0.75);
    private static readonly InjectionWeights Tags = new(0.85, 0.95);
    private static readonly InjectionWeights Override = new(0.45, 0.7);
    private static readonly InjectionWeights Embedding = new(0.15, 0.35);
    private static readonly InjectionWeights HiddenInstructions = new(0.45, 0.8);
    private static readonly InjectionWeights HiddenMarkup = new(0.1, 0.35);
    private static readonly InjectionWeights EncodedInstructions = new(0.7, 0.9);
    private static readonly InjectionWeights OneMixedWord = new(0.15, 0.3);
    private static readonly InjectionWeights MixedWords = new(0.35, 0.6);

    [GeneratedRegex(@"<!--(?:[^-]|-[^-])*-->", Options)]
    private static partial Regex HtmlComment();

    /// <summary>An element styled or flagged invisible, and its text up to the next tag.</summary>
    [GeneratedRegex(@"<[a-z][a-z0-9]*\b[^>]*(?:\bhidden\b|aria-hidden\s*=\s*[""']?true|style\s*=\s*[""'][^""'>]*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|em|pt)?\s*[;""']|opacity\s*:\s*0(?:\.0+)?\s*[;""']|color\s*:\s*(?:white|#fff|#ffffff|transparent)\b))[^>]*>[^<]*", Options | RegexOptions.IgnoreCase)]
    private static partial Regex HiddenElement();

    [GeneratedRegex(@"[A-Za-z0-9+/]{24,}={0,2}", Options)]
    private static partial Regex Base64Blob();

    public static void Find(string text, ContentSource source, List<InjectionSignal> into)
    {
        InvisibleCharacters(text, source, into);
        Markup(text, source, into);
        EncodedBlobs(text, source, into);
        MixedScriptWords(text, source, into);
    }

    private static void InvisibleCharacters(string text, ContentSource source, List<InjectionSignal> into)
    {
        var zeroWidth = new List<(int Start, int Length)>();
        var zeroWidthCount = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (HiddenCharacters.IsInvisible(c) && !(c == '\uFEFF' && i == 0) && !HiddenCharacters.IsLegitimateJoiner(text, i))
            {
                var start = i;
                while (i + 1 < text.Length && HiddenCharacters.IsInvisible(text[i + 1]))
                {
                    i++;
                }

                zeroWidth.Add((start, i + 1 - start));
                zeroWidthCount += i + 1 - start;
            }
            else if (HiddenCharacters.IsBidiControl(c))
            {
                var weights = HiddenCharacters.IsBidiOverride(c) ? Override : Embedding;
                into.Add(new InjectionSignal(InjectionSignals.BidiOverride, i, 1, weights.For(source)));
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && HiddenCharacters.IsTag(char.ConvertToUtf32(c, text[i + 1])))
            {
                i = TagRun(text, i, source, into);
            }
        }

        var zeroWidthWeight = (zeroWidthCount >= 3 ? ManyInvisible : FewInvisible).For(source);
        into.AddRange(zeroWidth.Select(run => new InjectionSignal(InjectionSignals.ZeroWidth, run.Start, run.Length, zeroWidthWeight)));
    }

    /// <summary>Reports a run of tag characters and returns the index of its last char. Subdivision flags (🏴 + tags) are emoji, not smuggling.</summary>
    private static int TagRun(string text, int start, ContentSource source, List<InjectionSignal> into)
    {
        var end = start;
        while (end + 1 < text.Length && char.IsHighSurrogate(text[end]) && HiddenCharacters.IsTag(char.ConvertToUtf32(text[end], text[end + 1])))
        {
            end += 2;
        }

        var flag = start >= 2 && char.IsSurrogatePair(text[start - 2], text[start - 1]) && char.ConvertToUtf32(text[start - 2], text[start - 1]) == 0x1F3F4;
        if (!flag)
        {
            into.Add(new InjectionSignal(InjectionSignals.TagCharacters, start, end - start, Tags.For(source)));
        }

        return end - 1;
    }

    private static void Markup(string text, ContentSource source, List<InjectionSignal> into)
    {
        foreach (var match in HtmlComment().EnumerateMatches(text))
        {
            if (ReadsAsInstructions(text.Substring(match.Index, match.Length)))
            {
                into.Add(new InjectionSignal(InjectionSignals.HiddenHtml, match.Index, match.Length, HiddenInstructions.For(source)));
            }
        }

        foreach (var match in HiddenElement().EnumerateMatches(text))
        {
            var weights = ReadsAsInstructions(text.Substring(match.Index, match.Length)) ? HiddenInstructions : HiddenMarkup;
            into.Add(new InjectionSignal(InjectionSignals.HiddenHtml, match.Index, match.Length, weights.For(source)));
        }
    }

    /// <summary>Base64 that decodes to mostly printable text containing instruction phrases; one level deep.</summary>
    private static void EncodedBlobs(string text, ContentSource source, List<InjectionSignal> into)
    {
        foreach (var match in Base64Blob().EnumerateMatches(text))
        {
            var blob = text.AsSpan(match.Index, match.Length).TrimEnd('=');
            blob = blob[..(blob.Length - blob.Length % 4)];
            var bytes = new byte[blob.Length / 4 * 3];
            if (!Convert.TryFromBase64Chars(blob, bytes, out var written) || !MostlyPrintable(bytes.AsSpan(0, written)))
            {
                continue;
            }

            var decoded = NormalizedText.From(Encoding.UTF8.GetString(bytes, 0, written));
            var inner = new List<InjectionSignal>();
            PhraseRules.Find(decoded, ContentSource.ToolResult, inner);
            if (inner.Exists(s => s.Weight >= 0.5))
            {
                into.Add(new InjectionSignal(InjectionSignals.Base64Instructions, match.Index, match.Length, EncodedInstructions.For(source)));
            }
        }
    }

    /// <summary>Words mixing ASCII letters with Cyrillic, Greek or full-width look-alikes ("pаypal" with a Cyrillic а).</summary>
    private static void MixedScriptWords(string text, ContentSource source, List<InjectionSignal> into)
    {
        var words = new List<(int Start, int Length)>();
        for (var i = 0; i < text.Length;)
        {
            if (!char.IsLetter(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            bool ascii = false, confusable = false;
            for (; i < text.Length && char.IsLetter(text[i]); i++)
            {
                ascii |= char.IsAsciiLetter(text[i]);
                confusable |= Homoglyphs.IsConfusable(text[i]);
            }

            if (ascii && confusable)
            {
                words.Add((start, i - start));
            }
        }

        if (words.Count > 0)
        {
            var weight = (words.Count >= 2 ? MixedWords : OneMixedWord).For(source);
            var (first, last) = (words[0], words[^1]);
            into.Add(new InjectionSignal(InjectionSignals.Homoglyphs, first.Start, last.Start + last.Length - first.Start, weight));
        }
    }

    private static bool ReadsAsInstructions(string fragment) => PhraseRules.InstructionCue().IsMatch(NormalizedText.From(fragment).Value);

    private static bool MostlyPrintable(ReadOnlySpan<byte> bytes)
    {
        var printable = 0;
        foreach (var b in bytes)
        {
            printable += b is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t' ? 1 : 0;
        }

        return bytes.Length > 0 && printable >= bytes.Length * 0.9;
    }
}
