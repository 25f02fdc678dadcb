using Shouldly;
using Warden.Core.Runs.Diff;
using Xunit;

namespace Warden.Core.Tests.Runs.Diff;

public sealed class PathComparisonTests
{
    [Theory]
    [InlineData("a,b,c", "a,b,c", "", "", "")]
    [InlineData("a,b", "a,b,c", "c", "", "")]
    [InlineData("a,b,c", "a,c", "", "b", "")]
    [InlineData("a,b,c", "a,c,b", "", "", "b")]
    [InlineData("a,b,c,d", "d,a,b,c", "", "", "d")]
    [InlineData("a,x,b", "b,y,a", "y", "x", "a")]
    [InlineData("", "a", "a", "", "")]
    public void Compare_TwoPaths_AddedRemovedAndFewestReordered(string a, string b, string added, string removed, string reordered)
    {
        var result = PathComparison.Compare(Split(a), Split(b));

        string.Join(",", result.Added).ShouldBe(added);
        string.Join(",", result.Removed).ShouldBe(removed);
        string.Join(",", result.Reordered).ShouldBe(reordered);
        result.Same.ShouldBe(added.Length + removed.Length + reordered.Length == 0);
    }

    private static string[] Split(string path) => path.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
