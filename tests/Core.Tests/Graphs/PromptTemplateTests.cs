using Shouldly;
using Warden.Core.Graphs;
using Xunit;

namespace Warden.Core.Tests.Graphs;

public class PromptTemplateTests
{
    private const string Input = """{"task":"sort","limits":{"max":3},"tags":["a"]}""";

    [Theory]
    [InlineData("Do {{input.task}}", "Do sort")]
    [InlineData("Max {{ input.limits.max }}", "Max 3")]
    [InlineData("Tags {{input.tags}}", "Tags [\"a\"]")]
    [InlineData("Missing [{{input.nope}}]", "Missing []")]
    [InlineData("Run {{run.id}}", "Run run-7")]
    [InlineData("Plan: {{nodes.plan.output}}", "Plan: step 1")]
    [InlineData("Gone: [{{nodes.ghost.output}}]", "Gone: []")]
    [InlineData("{{upstream}}", "## plan\nstep 1\n\n## research\nfacts")]
    public void Render_Placeholder_IsReplaced(string template, string expected)
    {
        // Arrange
        var outputs = new Dictionary<string, string> { ["plan"] = "step 1", ["research"] = "facts" };

        // Act
        var text = PromptTemplate.Render(template, "run-7", Input, [("plan", "step 1"), ("research", "facts")], outputs.GetValueOrDefault);

        // Assert
        text.ShouldBe(expected);
    }

    [Theory]
    [InlineData("{{input}}", "plain text input", "plain text input")]
    [InlineData("[{{input.task}}]", "not json", "[]")]
    [InlineData("{{input}}", "", "null")]
    public void Render_NonObjectInput_IsUsedAsIs(string template, string input, string expected)
    {
        // Act
        var text = PromptTemplate.Render(template, "r", input, [], _ => null);

        // Assert
        text.ShouldBe(expected);
    }

    [Theory]
    [InlineData("input", null)]
    [InlineData("input.a.b", null)]
    [InlineData("upstream", null)]
    [InlineData("run.id", null)]
    [InlineData("nodes.plan.output", null)]
    [InlineData("nodes.ghost.output", "prompt refers to unknown node 'ghost'")]
    [InlineData("nodes.plan.error", "unknown placeholder '{{nodes.plan.error}}'")]
    [InlineData("env.HOME", "unknown placeholder '{{env.HOME}}'")]
    public void CheckReference_Reference_IsValidatedAgainstNodes(string reference, string? expectedProblem)
    {
        // Act
        var problem = PromptTemplate.CheckReference(reference, id => id == "plan");

        // Assert
        if (expectedProblem is null)
        {
            problem.ShouldBeNull();
        }
        else
        {
            problem.ShouldNotBeNull().ShouldStartWith(expectedProblem);
        }
    }
}
