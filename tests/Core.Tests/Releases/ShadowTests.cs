using Shouldly;
using Warden.Core.Releases;
using Xunit;

namespace Warden.Core.Tests.Releases;

public class ShadowTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(100, 10_000)]
    public void Sampled_EdgePercents_NoneOrAll(double percent, int expected)
    {
        // Act
        var sampled = Enumerable.Range(0, 10_000).Count(i => ShadowSampling.Sampled($"run_{i:x8}", percent));

        // Assert
        sampled.ShouldBe(expected);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(25)]
    [InlineData(50)]
    public void Sampled_ManyRuns_ShareIsNearThePercent(double percent)
    {
        // Act
        var share = Enumerable.Range(0, 20_000).Count(i => ShadowSampling.Sampled($"run_{i:x8}", percent)) / 200.0;

        // Assert
        share.ShouldBeInRange(percent - 1.5, percent + 1.5);
    }

    [Fact]
    public void Sampled_SameRunAskedAgain_SameAnswer()
    {
        // Act + Assert: the choice is a function of the run id, so a replay shadows the same runs
        Enumerable.Range(0, 1000).Select(i => $"run_{i}").ShouldAllBe(id => ShadowSampling.Sampled(id, 30) == ShadowSampling.Sampled(id, 30));
    }

    [Theory]
    [InlineData("completed", "the plan ships on friday", "a,b,c", "completed", "the plan ships on friday", "a,b,c", 1.0, 1.0, 1.0)]
    [InlineData("completed", "alpha beta gamma delta", "a,b,c", "completed", "alpha beta", "a,b,c", 0.75, 0.5, 1.0)]
    [InlineData("completed", "same words", "a,b,c,d", "completed", "same words", "a,b", 0.8333, 1.0, 0.6667)]
    [InlineData("completed", "same words", "a,b", "completed", "same words", "b,a", 0.75, 1.0, 0.5)]
    [InlineData("completed", "same words", "a,b", "failed", "same words", "a,b", 0.5, 0.0, 1.0)]
    public void Score_KnownPairs_MeanOfOutputAndTrajectory(string statusA, string outputA, string pathA, string statusB, string outputB, string pathB, double score, double output, double trajectory)
    {
        // Act
        var result = ShadowDivergence.Score(statusA, outputA, pathA.Split(','), statusB, outputB, pathB.Split(','), threshold: 0.85);

        // Assert
        result.Score.ShouldBe(score, 0.0001);
        result.OutputSimilarity.ShouldBe(output, 0.0001);
        result.TrajectorySimilarity.ShouldBe(trajectory, 0.0001);
        result.Flagged.ShouldBe(score < 0.85);
    }
}
