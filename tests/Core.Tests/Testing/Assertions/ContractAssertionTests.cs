using Shouldly;
using Warden.Core.Graphs;
using Warden.Core.Testing;
using Xunit;

namespace Warden.Core.Tests.Testing.Assertions;

/// <summary><c>contract: node</c> and <c>contracts: hold</c> check the graph's own contracts against a finished run.</summary>
public class ContractAssertionTests
{
    private static readonly GraphDefinition Graph = GraphParser.Parse("""
        name: g
        contracts:
          cited: { citations: { min: 2 }, max_output_tokens: 50 }
        nodes:
          - { id: research, role: researcher, prompt: "{{input.task}}", contract: cited }
          - id: plan
            role: planner
            prompt: "{{upstream}}"
            contract: { input_schema: { type: string, minLength: 5 }, forbidden: ['(?i)password'] }
          - { id: report, role: finalizer, prompt: "{{upstream}}" }
        edges: [research -> plan, plan -> report]
        """);

    private static RunObservation Run(string research, string plan, long researchTokens = 20, params ObservedEvent[] extra) =>
        new RunObservation(
            "completed",
            null,
            "done",
            new Dictionary<string, string?> { ["research"] = research, ["plan"] = plan, ["report"] = "done" },
            [
                .. extra,
                new ObservedEvent("node.completed", "research", 1, new Dictionary<string, string> { ["output_tokens"] = researchTokens.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
                new ObservedEvent("node.completed", "plan", 1, new Dictionary<string, string> { ["output_tokens"] = "5" }),
            ],
            new RunTotals(10, 10, 0, 100))
        {
            Input = """{"task":"sort"}""",
            Graph = Graph,
        };

    private static ObservedEvent Violation(string node, long attempt) =>
        new("node.failed", node, attempt, new Dictionary<string, string> { ["error_code"] = "CONTRACT_VIOLATED", ["error"] = "contract violated" });

    public static TheoryData<string, string, string, long, bool, string> Rows => new()
    {
        // assertion, research output, plan output, research tokens, passes, fragment of actual
        { "contracts: hold", "see [a] and [b]", "1. sort the list", 20, true, "held on 2 node(s)" },
        { "contract: research", "see [a] and [b]", "1. sort the list", 20, true, "held on 1 node(s)" },
        { "contract: research", "see [a] only", "1. sort the list", 20, false, "research: citations" },
        { "contract: research", "see [a] and [b]", "1. sort the list", 51, false, "max_output_tokens" },
        { "contracts: hold", "see [a] and [b]", "password: 1234", 20, false, "plan: forbidden[0]" },
        { "contract: plan", "[a] [b]", "1. sort", 20, true, "held" },
        { "contract: plan", "[a]", "1. sort", 20, false, "plan: input_schema" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Evaluate_GraphContracts_HoldOrNameTheBrokenRule(string assertion, string research, string plan, long tokens, bool passes, string actual)
    {
        // Arrange
        var suite = SuiteParser.Parse("name: s\ngraph: g\ncases:\n  - name: c\n    assert:\n      - " + assertion + "\n");

        // Act
        var verdict = SuiteEvaluator.Evaluate(suite.Cases[0], "run_1", Run(research, plan, tokens)).Assertions.Single();

        // Assert
        verdict.Passed.ShouldBe(passes, $"expected {verdict.Expected}, actual {verdict.Actual}");
        verdict.Actual.ShouldContain(actual);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("\n        max_violations: 1", true)]
    [InlineData("\n        max_violations: 0", false)]
    public void Evaluate_RetriedViolations_AreReportedAndBoundedByMaxViolations(string modifier, bool passes)
    {
        // Arrange
        var suite = SuiteParser.Parse("name: s\ngraph: g\ncases:\n  - name: c\n    assert:\n      - contracts: hold" + modifier + "\n");
        var run = Run("[a] [b]", "1. sort", 20, Violation("research", 1));

        // Act
        var verdict = SuiteEvaluator.Evaluate(suite.Cases[0], "run_1", run).Assertions.Single();

        // Assert
        verdict.Passed.ShouldBe(passes, verdict.Actual);
        verdict.Actual.ShouldContain("1 attempt(s) failed CONTRACT_VIOLATED: research#1");
    }

    [Fact]
    public void Evaluate_WithoutTheGraph_FailsSayingSo()
    {
        // Arrange
        var suite = SuiteParser.Parse("name: s\ngraph: g\ncases:\n  - name: c\n    assert:\n      - contracts: hold\n");

        // Act
        var verdict = SuiteEvaluator.Evaluate(suite.Cases[0], "run_1", Run("[a] [b]", "1. sort") with { Graph = null }).Assertions.Single();

        // Assert
        verdict.Passed.ShouldBeFalse();
        verdict.Actual.ShouldContain("did not load the graph");
    }

    [Theory]
    [InlineData("contract: report", "node 'report' has no contract")]
    [InlineData("contract: nowhere", "node 'nowhere' is not in graph")]
    public void Check_ContractAssertionOnNodeWithoutContract_IsABadSuite(string assertion, string message)
    {
        // Arrange
        var suite = SuiteParser.Parse("name: s\ngraph: g\ncases:\n  - name: c\n    assert:\n      - " + assertion + "\n");

        // Act
        var errors = SuiteGraphCheck.Check(suite, Graph);

        // Assert
        errors.ShouldHaveSingleItem().Message.ShouldContain(message);
        errors[0].Line.ShouldBe(6);
    }

    [Fact]
    public void Parse_ContractsWithOtherValue_PointsAtIt()
    {
        // Act
        var ex = Should.Throw<SuiteValidationException>(() => SuiteParser.Parse("name: s\ngraph: g\ncases:\n  - name: c\n    assert:\n      - contracts: yes\n"));

        // Assert
        var error = ex.Errors.ShouldHaveSingleItem();
        error.Message.ShouldContain("contracts takes hold");
        (error.Line, error.Column).ShouldBe((6, 20));
    }
}
