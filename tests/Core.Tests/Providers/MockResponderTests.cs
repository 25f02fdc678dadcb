using System.Text.RegularExpressions;
using Shouldly;
using Warden.Core.Graphs;
using Warden.Core.Providers;
using Xunit;

namespace Warden.Core.Tests.Providers;

public class MockResponderTests
{
    private const string Prompt = "Sort a list of numbers\nUse the plan below.";

    [Theory]
    [InlineData(AgentRoles.Researcher)]
    [InlineData(AgentRoles.Planner)]
    [InlineData(AgentRoles.Coder)]
    [InlineData(AgentRoles.Reviewer)]
    [InlineData(AgentRoles.Analyst)]
    public void Respond_SameSeedNodeAndPrompt_ReturnsSameReply(string role)
    {
        // Act
        var first = MockResponder.Respond(7, "node-a", role, Prompt);
        var second = MockResponder.Respond(7, "node-a", role, Prompt);

        // Assert
        second.ShouldBe(first);
    }

    [Fact]
    public void Respond_DifferentSeedsOrNodes_VaryTheReply()
    {
        // Act
        var replies = Enumerable.Range(0, 20)
            .SelectMany(i => new[]
            {
                MockResponder.Respond(i, "node-a", AgentRoles.Planner, Prompt).Text,
                MockResponder.Respond(1, $"node-{i}", AgentRoles.Planner, Prompt).Text,
            })
            .ToHashSet();

        // Assert
        replies.Count.ShouldBeGreaterThan(3);
    }

    [Fact]
    public void Respond_Planner_WritesNumberedSteps()
    {
        // Act
        var reply = MockResponder.Respond(3, "plan", AgentRoles.Planner, Prompt);

        // Assert
        var lines = reply.Text.Split('\n');
        lines[0].ShouldBe("Plan for Sort a list of numbers:");
        var steps = lines.Skip(1).ToList();
        steps.Count.ShouldBeInRange(3, 5);
        for (var i = 0; i < steps.Count; i++)
        {
            steps[i].ShouldStartWith($"{i + 1}. ");
        }
    }

    [Fact]
    public void Respond_Coder_ReturnsOneFencedCodeBlock()
    {
        // Act
        var reply = MockResponder.Respond(3, "code", AgentRoles.Coder, Prompt);

        // Assert
        Regex.IsMatch(reply.Text, "```(python|csharp|typescript)\n(.|\n)+\n```$").ShouldBeTrue(reply.Text);
        Regex.Count(reply.Text, "```").ShouldBe(2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Respond_Reviewer_StartsWithVerdict(long seed)
    {
        // Act
        var reply = MockResponder.Respond(seed, "review", AgentRoles.Reviewer, Prompt);

        // Assert
        reply.Text.ShouldMatch("^VERDICT: (pass|revise)\n");
        EdgeCondition.ExtractField(reply.Text, "verdict").ShouldBeOneOf("pass", "revise");
    }

    [Fact]
    public void Respond_ManyReviews_GiveBothVerdicts()
    {
        // Act
        var verdicts = Enumerable.Range(0, 100)
            .Select(seed => EdgeCondition.ExtractField(MockResponder.Respond(seed, "review", AgentRoles.Reviewer, Prompt).Text, "verdict"))
            .ToList();

        // Assert
        verdicts.ShouldContain("pass");
        verdicts.ShouldContain("revise");
        verdicts.Count(v => v == "pass").ShouldBeGreaterThan(verdicts.Count(v => v == "revise"));
    }

    [Fact]
    public void Respond_Tokens_AreSizedFromPromptAndReply()
    {
        // Act
        var reply = MockResponder.Respond(3, "plan", AgentRoles.Planner, Prompt);

        // Assert
        reply.InputTokens.ShouldBe(MockResponder.EstimateTokens(Prompt) + 24);
        reply.OutputTokens.ShouldBe(MockResponder.EstimateTokens(reply.Text));
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData("abcd", 1)]
    [InlineData("abcde", 2)]
    [InlineData("12345678", 2)]
    public void EstimateTokens_Text_RoundsUpFourCharactersPerToken(string text, int expected)
    {
        // Act + Assert
        MockResponder.EstimateTokens(text).ShouldBe(expected);
    }
}
