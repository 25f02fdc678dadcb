using DiffPlex;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Warden.Core.Runs.Diff;

namespace Warden.Runtime.Diff;

/// <summary>One line of a line diff: <c>" "</c> unchanged, <c>"-"</c> only in run a, <c>"+"</c> only in run b.</summary>
public sealed record DiffLine(string Op, string Text);

/// <summary>The line diff of two node outputs (DiffPlex, Myers) and their similarity.</summary>
public static class OutputDiff
{
    // Above this many characters in all the similarity is scored on lines instead of characters, to bound the cost.
    private const int CharacterScoringLimit = 20_000;

    public static IReadOnlyList<DiffLine> Lines(string a, string b)
    {
        var model = InlineDiffBuilder.Diff(a, b, ignoreWhiteSpace: false);
        return model.Lines
            .Where(l => l.Type != ChangeType.Imaginary)
            .Select(l => new DiffLine(
                l.Type switch { ChangeType.Inserted => "+", ChangeType.Deleted => "-", _ => " " },
                l.Text))
            .ToArray();
    }

    /// <summary>
    /// <see cref="Similarity.Ratio"/> over characters: DiffPlex's character diff gives the characters both outputs keep in
    /// order (identical texts: 1; nothing in common: 0). Very long outputs are scored over lines the same way.
    /// </summary>
    public static double Score(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return 1;
        }

        if (a.Length + b.Length <= CharacterScoringLimit)
        {
            var chars = Differ.Instance.CreateCharacterDiffs(a, b, ignoreWhitespace: false);
            var changedA = chars.DiffBlocks.Sum(d => d.DeleteCountA);
            return Math.Round(Similarity.Ratio(a.Length - changedA, a.Length, b.Length), 4);
        }

        var lines = Differ.Instance.CreateLineDiffs(a, b, ignoreWhitespace: false);
        var kept = lines.PiecesOld.Count - lines.DiffBlocks.Sum(d => d.DeleteCountA);
        return Math.Round(Similarity.Ratio(kept, lines.PiecesOld.Count, lines.PiecesNew.Count), 4);
    }
}
