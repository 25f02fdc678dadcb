using Shouldly;
using Warden.Core.Testing;
using Warden.Core.Testing.Assertions;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Testing;

public class SuiteParserTests
{
    private const string Head = "name: s\ngraph: g\ncases:\n  - name: c\n    assert:\n";

    private static SuiteError SingleError(string yaml)
    {
        var ex = Should.Throw<SuiteValidationException>(() => SuiteParser.Parse(yaml));
        ex.Errors.Count.ShouldBe(1, string.Join("\n", ex.Errors));
        return ex.Errors[0];
    }

    [Theory]
    [InlineData("examples/suites/research-to-code.suite.yaml", "research-to-code", 2)]
    [InlineData("examples/suites/ops-copilot.suite.yaml", "ops-copilot", 3)]
    [InlineData("examples/suites/release-gate.suite.yaml", "release-gate", 1)]
    public void Parse_ExampleSuite_Succeeds(string path, string name, int cases)
    {
        // Arrange
        var yaml = RepoFiles.Read(path);

        // Act
        var suite = SuiteParser.Parse(yaml);

        // Assert
        suite.Name.ShouldBe(name);
        suite.Graph.File.ShouldBe($"../{name}.yaml");
        suite.Cases.Count.ShouldBe(cases);
        suite.Cases.ShouldAllBe(c => c.Assertions.Count > 0);
    }

    [Fact]
    public void Parse_DefaultsAndCase_MergesSeedApproveInputAndAssertions()
    {
        // Arrange
        const string yaml = """
            name: s
            graph: { id: g, version: 3 }
            defaults:
              seed: 7
              approve: true
              input: { task: shared }
              assert:
                - status: completed
            cases:
              - name: a
                assert:
                  - contains: x
              - name: b
                seed: 9
                approve: reject
                input: { task: own, n: 2, flag: true, quoted: "2" }
            """;

        // Act
        var suite = SuiteParser.Parse(yaml);

        // Assert
        suite.Graph.ShouldBe(new SuiteGraph("g", 3, null));
        var (a, b) = (suite.Cases[0], suite.Cases[1]);
        a.Seed.ShouldBe(7);
        a.Approve.ShouldBe(ApprovalMode.Approve);
        a.Input.ShouldBe("""{"task":"shared"}""");
        a.Assertions.Select(x => x.Kind).ShouldBe(["status", "contains"]);
        b.Seed.ShouldBe(9);
        b.Approve.ShouldBe(ApprovalMode.Reject);
        b.Input.ShouldBe("""{"task":"own","n":2,"flag":true,"quoted":"2"}""");
        b.Assertions.Select(x => x.Kind).ShouldBe(["status"]);
    }

    [Fact]
    public void Parse_CaseMock_KeepsTheOverridesAsStartRunOptions()
    {
        // Arrange
        const string yaml = "name: s\ngraph: g\ncases:\n  - name: c\n    mock:\n      planner: { response: 42, fail_first_attempts: 2 }\n    assert:\n      - status: completed\n";

        // Act
        var suiteCase = SuiteParser.Parse(yaml).Cases[0];

        // Assert
        var options = System.Text.Json.Nodes.JsonNode.Parse(suiteCase.RunOptions!)!;
        options["mock"]!["planner"]!["response"]!.GetValue<string>().ShouldBe("42");
        options["mock"]!["planner"]!["fail_first_attempts"]!.GetValue<long>().ShouldBe(2);
    }

    [Theory]
    [InlineData("    mock: [a]\n", "$.cases[0].mock", 5, 11)]
    [InlineData("    mock:\n      planner: { latency: 3 }\n", "$.cases[0].mock.planner.latency", 6, 18)]
    [InlineData("    mock:\n      planner: { error_rate: 2 }\n", "$.cases[0].mock.planner.error_rate", 6, 30)]
    public void Parse_BadCaseMock_ReportsLineAndColumn(string mock, string path, int line, int column)
    {
        // Act
        var error = SingleError("name: s\ngraph: g\ncases:\n  - name: c\n" + mock + "    assert:\n      - status: completed\n");

        // Assert
        error.Path.ShouldBe(path);
        error.Line.ShouldBe(line);
        error.Column.ShouldBe(column);
    }

    [Fact]
    public void Parse_JsonDocument_IsTheSameShape()
    {
        // Arrange
        const string json = """{"name":"s","graph":{"id":"g"},"cases":[{"name":"c","input":{"q":1},"assert":[{"status":"failed","error_code":"BUDGET_EXCEEDED"}]}]}""";

        // Act
        var suite = SuiteParser.Parse(json);

        // Assert
        suite.Cases[0].Assertions.Single().ShouldBe(new StatusAssertion("failed", "BUDGET_EXCEEDED") { Line = 1 });
    }

    [Theory]
    [InlineData("status: completed", typeof(StatusAssertion))]
    [InlineData("error_code: BUDGET_EXCEEDED", typeof(StatusAssertion))]
    [InlineData("equals: done", typeof(TextAssertion))]
    [InlineData("contains: done\n        node: coder", typeof(TextAssertion))]
    [InlineData("not_contains: secret", typeof(TextAssertion))]
    [InlineData("regex: '^VERDICT: (pass|revise)$'", typeof(RegexAssertion))]
    [InlineData("json_path: a.b\n        equals: 3", typeof(JsonPathAssertion))]
    [InlineData("json_path: a\n        exists: true", typeof(JsonPathAssertion))]
    [InlineData("json_schema: { type: object, required: [a] }", typeof(JsonSchemaAssertion))]
    [InlineData("similar_to: some text\n        threshold: 0.7", typeof(SimilarityAssertion))]
    [InlineData("visited: [a, b]", typeof(VisitedAssertion))]
    [InlineData("not_visited: a", typeof(VisitedAssertion))]
    [InlineData("order: [a, b, c]", typeof(OrderAssertion))]
    [InlineData("visits: 2\n        node: executor", typeof(VisitCountAssertion))]
    [InlineData("approval_requested: true", typeof(ApprovalRequestedAssertion))]
    [InlineData("max_retries: 1\n        node: coder", typeof(MaxRetriesAssertion))]
    [InlineData("provider: mock", typeof(ProviderUsedAssertion))]
    [InlineData("max_tokens: 1000", typeof(BudgetAssertion))]
    [InlineData("max_cost_usd: 0.01", typeof(BudgetAssertion))]
    [InlineData("max_duration: 30s", typeof(BudgetAssertion))]
    [InlineData("max_provider_calls: 5", typeof(BudgetAssertion))]
    [InlineData("no_pii: true", typeof(NoPiiAssertion))]
    [InlineData("redacted: true", typeof(GovernanceEventAssertion))]
    [InlineData("injection_blocked: false", typeof(GovernanceEventAssertion))]
    public void Parse_AssertionKind_BuildsItsType(string assertion, Type expected)
    {
        // Act
        var suite = SuiteParser.Parse(Head + "      - " + assertion + "\n");

        // Assert
        var parsed = suite.Cases[0].Assertions.Single();
        parsed.ShouldBeOfType(expected);
        parsed.Line.ShouldBe(6);
    }

    [Theory]
    [InlineData("containz: x", "$.cases[0].assert[0].containz", 6, 9, "unknown assertion kind 'containz'")]
    [InlineData("regex: '(unclosed'", "$.cases[0].assert[0].regex", 6, 16, "bad regex")]
    [InlineData(@"regex: '(a)\1'", "$.cases[0].assert[0].regex", 6, 16, "not supported without backtracking")]
    [InlineData("json_schema: { type: nope }", "$.cases[0].assert[0].json_schema", 6, 22, "not a valid JSON Schema (draft 2020-12)")]
    [InlineData("json_schema: { minLength: -1 }", "$.cases[0].assert[0].json_schema", 6, 22, "not a valid JSON Schema (draft 2020-12)")]
    [InlineData("status: done", "$.cases[0].assert[0].status", 6, 17, "unknown status 'done'")]
    [InlineData("contains: x\n        threshold: 0.5", "$.cases[0].assert[0].threshold", 7, 9, "'threshold' does not apply to contains")]
    [InlineData("contains: x\n        regex: y", "$.cases[0].assert[0]", 6, 9, "one kind per assertion, found contains and regex")]
    [InlineData("visits: 2", "$.cases[0].assert[0]", 6, 9, "visits needs node")]
    [InlineData("json_path: a", "$.cases[0].assert[0].json_path", 6, 9, "json_path needs exactly one of equals or exists")]
    [InlineData("similar_to: x\n        threshold: 2", "$.cases[0].assert[0].threshold", 7, 20, "threshold must be a number between 0 and 1")]
    [InlineData("max_duration: soon", "$.cases[0].assert[0].max_duration", 6, 23, "expected a duration")]
    [InlineData("max_tokens: -5", "$.cases[0].assert[0].max_tokens", 6, 21, "expected a number ≥ 0")]
    [InlineData("approval_requested: maybe", "$.cases[0].assert[0].approval_requested", 6, 29, "expected true or false")]
    public void Parse_BadAssertion_ReportsLineAndColumn(string assertion, string path, int line, int column, string message)
    {
        // Act
        var error = SingleError(Head + "      - " + assertion + "\n");

        // Assert
        error.Path.ShouldBe(path);
        error.Message.ShouldContain(message);
        (error.Line, error.Column).ShouldBe((line, column));
    }

    [Theory]
    [InlineData("name: s\ngraph: g\ncases: []\n", "$.cases", 3, 8, "cases is empty")]
    [InlineData("name: s\ncases:\n  - name: c\n    assert: [{status: completed}]\n", "$.graph", 1, 1, "graph is required")]
    [InlineData("name: s\ngraph: { id: g, file: x.yaml }\ncases:\n  - name: c\n    assert: [{status: completed}]\n", "$.graph", 2, 8, "exactly one of id or file")]
    [InlineData("name: s\ngraph: g\nextra: 1\ncases:\n  - name: c\n    assert: [{status: completed}]\n", "$.extra", 3, 1, "unknown field 'extra'")]
    [InlineData("name: s\ngraph: g\ncases:\n  - name: c\n", "$.cases[0].assert", null, null, "assert is required")]
    [InlineData("name: s\ngraph: g\ncases:\n  - name: c\n    approve: sometimes\n    assert: [{status: completed}]\n", "approve", 5, 14, "approve must be true")]
    [InlineData("name: s\ngraph: g\ncases:\n  - name: c\n    assert: [{status: completed}]\n  - name: c\n    assert: [{status: completed}]\n", "$.cases[1].name", 6, 5, "duplicate case name 'c'")]
    [InlineData("name: s\ngraph: g\ncases:\n  - name: c\n    seed: x\n    assert: [{status: completed}]\n", "$.cases[0].seed", 5, 11, "seed must be a whole number")]
    [InlineData("name: s\ngraph: [g\n", "$", 3, 1, "not valid YAML or JSON")]
    [InlineData("- a\n- b\n", "$", null, null, "the suite must be a mapping")]
    public void Parse_BadDocument_ReportsLineAndColumn(string yaml, string path, int? line, int? column, string message)
    {
        // Act
        var error = SingleError(yaml);

        // Assert
        error.Path.ShouldBe(path);
        error.Message.ShouldContain(message);
        (error.Line, error.Column).ShouldBe((line, column));
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsEveryOne()
    {
        // Act
        var ex = Should.Throw<SuiteValidationException>(() => SuiteParser.Parse(Head + "      - containz: x\n      - regex: '('\n"));

        // Assert
        ex.Errors.Select(e => e.Line).ShouldBe([6, 7]);
        ex.Message.ShouldStartWith("2 problems in suite; first: $.cases[0].assert[0].containz (line 6, column 9)");
    }
}
