namespace Warden.Core.Governance.Review;

/// <summary>
/// Splits an output into sentences: at '.', '!' or '?' followed by white space, and at line ends. Fenced code
/// blocks and Markdown headings are left out; a piece made only of citation markers ("... grew 12%. [1]") joins
/// the sentence before it. Simple on purpose: "e.g. " splits a sentence, which at worst asks for one more citation.
/// </summary>
internal static class Sentences
{
    public static List<(int Start, int Length)> Split(string text)
    {
        var pieces = new List<(int Start, int Length)>();
        var inFence = false;
        var lineStart = 0;
        while (lineStart < text.Length)
        {
            var lineEnd = text.IndexOf('\n', lineStart);
            lineEnd = lineEnd < 0 ? text.Length : lineEnd;
            var line = text.AsSpan(lineStart, lineEnd - lineStart).Trim();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && !line.StartsWith("#"))
            {
                SplitLine(text, lineStart, lineEnd, pieces);
            }

            lineStart = lineEnd + 1;
        }

        return pieces;
    }

    private static void SplitLine(string text, int start, int end, List<(int Start, int Length)> pieces)
    {
        var from = start;
        for (var i = start; i < end; i++)
        {
            if (text[i] is '.' or '!' or '?' && (i + 1 == end || char.IsWhiteSpace(text[i + 1])))
            {
                Add(text, from, i + 1, pieces);
                from = i + 1;
            }
        }

        Add(text, from, end, pieces);
    }

    private static void Add(string text, int start, int end, List<(int Start, int Length)> pieces)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (end == start)
        {
            return;
        }

        if (pieces.Count > 0 && Citations.OnlyMarkers(text.AsSpan(start, end - start)))
        {
            var previous = pieces[^1];
            pieces[^1] = (previous.Start, end - previous.Start);
            return;
        }

        pieces.Add((start, end - start));
    }
}
