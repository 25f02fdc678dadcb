using Shouldly;
using Warden.Core.Runs.Diff;
using Xunit;

namespace Warden.Core.Tests.Runs.Diff;

public sealed class SimilarityTests
{
    [Theory]
    [InlineData(0, 0, 0, 1.0)]
    [InlineData(5, 5, 5, 1.0)]
    [InlineData(0, 5, 5, 0.0)]
    [InlineData(3, 4, 6, 0.6)]
    [InlineData(0, 0, 4, 0.0)]
    public void Ratio_MatchedOfLengths_DiceRatio(int matched, int a, int b, double expected)
    {
        Similarity.Ratio(matched, a, b).ShouldBe(expected, 1e-9);
    }

    [Fact]
    public void Overall_NoNodes_IsOne_ElseMeanOfNodes()
    {
        Similarity.Overall([]).ShouldBe(1);
        Similarity.Overall([1, 0.5, 0]).ShouldBe(0.5);
    }
}
