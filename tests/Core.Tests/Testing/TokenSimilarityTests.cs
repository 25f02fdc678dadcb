using Shouldly;
using Warden.Core.Testing;
using Xunit;

namespace Warden.Core.Tests.Testing;

public class TokenSimilarityTests
{
    [Theory]
    [InlineData("the plan is ready", "the plan is ready", 1.0)]
    [InlineData("Plan READY, the", "the plan ready", 1.0)]
    [InlineData("a b c d", "a b", 0.5)]
    [InlineData("a b", "c d", 0.0)]
    [InlineData("", "", 1.0)]
    [InlineData("", "x", 0.0)]
    [InlineData("retry retry retry ok", "retry ok", 1.0)]
    public void Score_TokenSets_IsJaccardIndex(string a, string b, double expected)
    {
        // Act
        var score = TokenSimilarity.Score(a, b);

        // Assert
        score.ShouldBe(expected, 1e-9);
        TokenSimilarity.Score(b, a).ShouldBe(score, 1e-9);
    }
}
