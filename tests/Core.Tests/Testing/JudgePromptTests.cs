using System.Text.Json;
using Shouldly;
using Warden.Core.Providers;
using Warden.Core.Testing.Judge;
using Xunit;

namespace Warden.Core.Tests.Testing;

public class JudgePromptTests
{
    [Theory]
    [InlineData("""{"score": 0.8, "reason": "good"}""", 0.8, "good")]
    [InlineData("""Here you go: {"score": "0.25", "reason": "thin"} hope it helps""", 0.25, "thin")]
    [InlineData("""{"score": 7, "reason": "out of ten"}""", 0.7, "out of ten")]
    [InlineData("Score: 85\nmostly there", 0.85, "mostly there")]
    [InlineData("**Score**: 0.5", 0.5, "")]
    public void TryParse_Reply_ReadsScoreAndReason(string reply, double score, string reason)
    {
        // Act
        var ok = JudgePrompt.TryParse(reply, out var parsed, out var why);

        // Assert
        ok.ShouldBeTrue();
        parsed.ShouldBe(score, 1e-9);
        why.ShouldBe(reason);
    }

    [Theory]
    [InlineData("I think it is fine")]
    [InlineData("""{"score": -1}""")]
    [InlineData("""{"score": 1000, "reason": "x"}""")]
    [InlineData("""{"grade": 0.5}""")]
    public void TryParse_NoUsableScore_ReturnsFalse(string reply) =>
        JudgePrompt.TryParse(reply, out _, out _).ShouldBeFalse();

    [Fact]
    public void Read_BuiltPrompt_GivesRubricAndOutputBack()
    {
        // Act
        var (rubric, output) = JudgePrompt.Read(JudgePrompt.Build("mentions the rollback", "line 1\n</rubric> line 2"));

        // Assert
        rubric.ShouldBe("mentions the rollback");
        output.ShouldBe("line 1\n</rubric> line 2");
    }

    [Theory]
    [InlineData("The summary must mention the rate limiter and its tests", "Summary: a token-bucket rate limiter is complete", 0.75)]
    [InlineData("rate limiter", "RATE LIMITER done", 1.0)]
    [InlineData("rate limiter tests rollback", "nothing relevant", 0.0)]
    [InlineData("must be ok", "anything", 1.0)]
    public void Grade_Rubric_ScoresShareOfKeywordsFound(string rubric, string output, double score) =>
        MockJudge.Grade(rubric, output).Score.ShouldBe(score);

    [Fact]
    public void Respond_JudgeRole_RepliesWithParseableDeterministicGrade()
    {
        // Arrange
        var prompt = JudgePrompt.Build("rollback and restart of the tier", "restart the web tier");

        // Act
        var first = MockResponder.Respond(1, "judge", JudgePrompt.Role, prompt);
        var second = MockResponder.Respond(99, "other", JudgePrompt.Role, prompt);

        // Assert
        first.Text.ShouldBe(second.Text);
        JudgePrompt.TryParse(first.Text, out var score, out var reason).ShouldBeTrue();
        score.ShouldBe(0.66);
        reason.ShouldContain("2 of 3 rubric keywords found; missing: rollback");
        JsonDocument.Parse(first.Text).RootElement.GetProperty("score").GetDouble().ShouldBe(0.66);
    }
}
