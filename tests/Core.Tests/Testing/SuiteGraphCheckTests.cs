using Shouldly;
using Warden.Core.Graphs;
using Warden.Core.Testing;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Testing;

public class SuiteGraphCheckTests
{
    private static readonly GraphDefinition Graph = GraphParser.Parse(RepoFiles.Read("examples/research-to-code.yaml"));

    [Theory]
    [InlineData("contains: x\n        node: codr", 6, "node 'codr' is not in graph 'research-to-code'")]
    [InlineData("visited: [planner, reviewr]", 6, "node 'reviewr'")]
    [InlineData("order: [researcher, plannr]", 6, "node 'plannr'")]
    [InlineData("visits: 1\n        node: nope", 6, "node 'nope'")]
    public void Check_AssertionNamesUnknownNode_ReportsItsLine(string assertion, int line, string message)
    {
        // Arrange
        var suite = SuiteParser.Parse("name: s\ngraph: g\ncases:\n  - name: c\n    assert:\n      - " + assertion + "\n");

        // Act
        var errors = SuiteGraphCheck.Check(suite, Graph);

        // Assert
        errors.Count.ShouldBe(1);
        errors[0].Line.ShouldBe(line);
        errors[0].Message.ShouldContain(message);
    }

    [Fact]
    public void Check_MockNamesUnknownNode_ReportsIt()
    {
        // Arrange
        var suite = SuiteParser.Parse("name: s\ngraph: g\ncases:\n  - name: c\n    mock:\n      plannr: { response: hi }\n    assert:\n      - status: completed\n");

        // Act
        var errors = SuiteGraphCheck.Check(suite, Graph);

        // Assert
        errors.Count.ShouldBe(1);
        errors[0].Path.ShouldBe("$.cases[0].mock.plannr");
        errors[0].Message.ShouldContain("node 'plannr' is not in graph 'research-to-code'");
    }

    [Fact]
    public void Check_ExampleSuite_HasNoUnknownNodes()
    {
        // Arrange
        var suite = SuiteParser.Parse(RepoFiles.Read("examples/suites/research-to-code.suite.yaml"));

        // Act
        var errors = SuiteGraphCheck.Check(suite, Graph);

        // Assert
        errors.ShouldBeEmpty();
    }

    [Fact]
    public void Check_DefaultAssertionInEveryCase_ReportedOnce()
    {
        // Arrange
        var suite = SuiteParser.Parse("name: s\ngraph: g\ndefaults:\n  assert:\n    - not_visited: ghost\ncases:\n  - name: a\n    assert: [{status: completed}]\n  - name: b\n    assert: [{status: completed}]\n");

        // Act
        var errors = SuiteGraphCheck.Check(suite, Graph);

        // Assert
        errors.Single().Line.ShouldBe(5);
    }
}
