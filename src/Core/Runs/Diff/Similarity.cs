namespace Warden.Core.Runs.Diff;

/// <summary>The similarity scores of a run diff, each in [0, 1].</summary>
public static class Similarity
{
    /// <summary>
    /// Of two texts of <paramref name="lengthA"/> and <paramref name="lengthB"/> units (characters) of which
    /// <paramref name="matched"/> are common to both in order (what a diff keeps unchanged): 2·matched / (lengthA + lengthB),
    /// the Dice / Ratcliff-Obershelp ratio Python's difflib calls ratio(). Two empty texts are identical (1).
    /// </summary>
    public static double Ratio(int matched, int lengthA, int lengthB)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(matched);
        if (lengthA + lengthB == 0)
        {
            return 1;
        }

        return Math.Clamp(2.0 * matched / (lengthA + lengthB), 0, 1);
    }

    /// <summary>
    /// A run's overall score: the mean of its nodes' scores over every node either run reached, a node only one run
    /// reached counting 0, so a changed path lowers it as much as a changed output. No node in either run scores 1.
    /// </summary>
    public static double Overall(IEnumerable<double> nodeScores)
    {
        var scores = nodeScores.ToArray();
        return scores.Length == 0 ? 1 : Math.Round(scores.Average(), 4);
    }
}
