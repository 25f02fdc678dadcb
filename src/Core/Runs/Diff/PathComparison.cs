namespace Warden.Core.Runs.Diff;

/// <summary>How the paths of two runs differ: nodes only one of them visited, and shared nodes visited in another order.</summary>
public sealed record PathComparison(
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Reordered)
{
    public bool Same => Added.Count == 0 && Removed.Count == 0 && Reordered.Count == 0;

    /// <summary>
    /// <paramref name="a"/> and <paramref name="b"/> are the nodes in the order each run first reached them. Added: only
    /// in b; removed: only in a. Of the shared nodes, those outside a longest common subsequence of the two orders are
    /// reordered: the fewest nodes whose moving explains the difference.
    /// </summary>
    public static PathComparison Compare(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var inA = new HashSet<string>(a, StringComparer.Ordinal);
        var inB = new HashSet<string>(b, StringComparer.Ordinal);
        var sharedA = a.Where(inB.Contains).ToArray();
        var sharedB = b.Where(inA.Contains).ToArray();
        var kept = LongestCommonSubsequence(sharedA, sharedB);
        return new PathComparison(
            b.Where(n => !inA.Contains(n)).ToArray(),
            a.Where(n => !inB.Contains(n)).ToArray(),
            sharedB.Where(n => !kept.Contains(n)).ToArray());
    }

    private static HashSet<string> LongestCommonSubsequence(string[] a, string[] b)
    {
        var length = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                length[i, j] = string.Equals(a[i], b[j], StringComparison.Ordinal)
                    ? length[i + 1, j + 1] + 1
                    : Math.Max(length[i + 1, j], length[i, j + 1]);
            }
        }

        var kept = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0, j = 0; i < a.Length && j < b.Length;)
        {
            if (string.Equals(a[i], b[j], StringComparison.Ordinal))
            {
                kept.Add(a[i]);
                i++;
                j++;
            }
            else if (length[i + 1, j] >= length[i, j + 1])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return kept;
    }
}
