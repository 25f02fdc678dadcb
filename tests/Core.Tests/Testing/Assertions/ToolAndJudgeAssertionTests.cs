using Shouldly;
using Warden.Core.Testing;
using Warden.Core.Testing.Assertions;
using Xunit;

namespace Warden.Core.Tests.Testing.Assertions;

public class ToolAndJudgeAssertionTests
{
    private const string Head = "name: s\ngraph: g\ncases:\n  - name: c\n    assert:\n      - ";

    /// <summary>A run whose ticket step called jira, whose merge step was denied and whose deploy step waited for a human.</summary>
    private static readonly RunObservation Run = new(
        "completed",
        null,
        "Summary: the OPS ticket was filed; the merge was refused by policy.",
        new Dictionary<string, string?> { ["summary"] = "Summary: the OPS ticket was filed; the merge was refused by policy." },
        [
            E("node.started", "ticket", ("tool", "jira.create"), ("decision", "allow"), ("args", """{"project":"OPS","labels":["ops","p1"],"priority":2}""")),
            E("node.completed", "ticket", ("provider", "tool")),
            E("policy.denied", "merge", ("tool", "github.merge"), ("decision", "deny"), ("reason", "graph rule 'github.*': deny")),
            E("node.failed", "merge", ("will_retry", "false")),
            E("approval.requested", "deploy", ("tool", "deploy.run"), ("decision", "approval"), ("approval_id", "apr_1")),
            E("node.started", "summary", ("provider", "mock")),
        ],
        new RunTotals(10, 10, 0m, 100));

    private static ObservedEvent E(string type, string? node, params (string Key, string Value)[] data) =>
        new(type, node, 1, data.ToDictionary(d => d.Key, d => d.Value));

    public static TheoryData<string, bool, string> Rows => new()
    {
        { "tool_called: jira.create", true, "ticket: jira.create" },
        { "tool_called: 'jira.*'", true, "jira.create" },
        { "tool_called: JIRA.CREATE", true, "jira.create" },
        { "tool_called: {tool: jira.create, args: {project: OPS}}", true, "OPS" },
        { "tool_called: {tool: jira.create, args: {project: OPS, priority: 2, labels: [ops]}}", true, "OPS" },
        { "tool_called: {tool: jira.create, args: {project: DEV}}", false, "jira.create" },
        { "tool_called: {tool: jira.create, args: {labels: [p1]}}", false, "jira.create" },
        { "tool_called: {tool: jira.create, args: '\"project\":\"OPS\"'}", true, "OPS" },
        { "tool_called: jira.create\n        node: summary", false, "jira.create" },
        { "tool_called: github.merge", false, "jira.create" },
        { "tool_called: deploy.run", false, "jira.create" },
        { "tool_not_called: github.merge", true, "jira.create" },
        { "tool_not_called: 'github.*'", true, "jira.create" },
        { "tool_not_called: jira.create", false, "ticket: jira.create" },
        { "tool_not_called: {tool: jira.create, args: {project: DEV}}", true, "jira.create" },
        { "policy: {tool: jira.create, decision: allow}", true, "ticket: jira.create allow" },
        { "policy: {tool: github.merge, decision: deny}", true, "merge: github.merge deny" },
        { "policy: {tool: github.merge, decision: allow}", false, "merge: github.merge deny" },
        { "policy: {tool: deploy.run, decision: approval}", true, "deploy: deploy.run approval" },
        { "policy: {tool: deploy.run, decision: require_approval}", true, "approval" },
        { "policy: {tool: '*', decision: deny}\n        node: merge", true, "github.merge deny" },
        { "policy: {tool: slack.post, decision: allow}", false, "no policy decision on slack.post" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Evaluate_ToolAssertionOnTimeline_GivesVerdictWithActual(string assertion, bool passed, string actual)
    {
        // Arrange
        var suite = SuiteParser.Parse(Head + assertion + "\n");

        // Act
        var result = SuiteEvaluator.Evaluate(suite.Cases[0], "run_1", Run);

        // Assert
        var verdict = result.Assertions.Single();
        verdict.Passed.ShouldBe(passed, $"expected {verdict.Expected}, actual {verdict.Actual}");
        verdict.Actual.ShouldContain(actual, Case.Insensitive);
    }

    [Theory]
    [InlineData("tool_called: []", "$.cases[0].assert[0].tool_called", 6, 22, "expected a tool name")]
    [InlineData("tool_called: {args: {a: 1}}", "$.cases[0].assert[0].tool_called", 6, 22, "tool is required")]
    [InlineData("tool_called: {tool: jira, arg: {a: 1}}", "$.cases[0].assert[0].tool_called.arg", 6, 35, "unknown field 'arg'")]
    [InlineData("tool_called: {tool: jira, args: [a]}", "$.cases[0].assert[0].tool_called.args", 6, 41, "args must be a mapping")]
    [InlineData("tool_not_called: ''", "$.cases[0].assert[0].tool_not_called", 6, 26, "expected a tool name")]
    [InlineData("policy: deny", "$.cases[0].assert[0].policy", 6, 17, "policy must be a mapping")]
    [InlineData("policy: {tool: x, decision: maybe}", "$.cases[0].assert[0].policy.decision", 6, 37, "unknown decision 'maybe'")]
    [InlineData("policy: {tool: x}", "$.cases[0].assert[0].policy", 6, 17, "decision is required")]
    [InlineData("policy: {decision: deny}", "$.cases[0].assert[0].policy", 6, 17, "tool is required")]
    [InlineData("judge: {min_score: 0.5}", "$.cases[0].assert[0].judge", 6, 16, "rubric is required")]
    [InlineData("judge: {rubric: ok, min_score: 2}", "$.cases[0].assert[0].judge.min_score", 6, 40, "min_score must be a number between 0 and 1")]
    [InlineData("judge: {rubric: ok, grader: x}", "$.cases[0].assert[0].judge.grader", 6, 29, "unknown field 'grader'")]
    [InlineData("judge: [ok]", "$.cases[0].assert[0].judge", 6, 16, "judge must be a mapping")]
    [InlineData("judge: {rubric: ok, node: a}\n        node: b", "$.cases[0].assert[0].judge.node", 6, 35, "node is given twice")]
    public void Parse_BadToolOrJudgeAssertion_ReportsLineAndColumn(string assertion, string path, int line, int column, string message)
    {
        // Act
        var ex = Should.Throw<SuiteValidationException>(() => SuiteParser.Parse(Head + assertion + "\n"));

        // Assert
        ex.Errors.Count.ShouldBe(1, string.Join("\n", ex.Errors));
        var error = ex.Errors[0];
        error.Path.ShouldBe(path);
        error.Message.ShouldContain(message);
        (error.Line, error.Column).ShouldBe((line, column));
    }

    [Fact]
    public void Parse_Judge_ReadsEveryField()
    {
        // Act
        var suite = SuiteParser.Parse(Head + "judge: {rubric: 'names the OPS ticket', min_score: 0.5, node: summary, provider: openai, model: gpt-4o-mini}\n");

        // Assert
        suite.Cases[0].Assertions.Single().ShouldBe(new JudgeAssertion("names the OPS ticket", 0.5, "summary", "openai", "gpt-4o-mini") { Line = 6 });
    }

    [Fact]
    public void Evaluate_JudgeWithoutVerdict_FailsAsNotGraded()
    {
        // Arrange
        var suite = SuiteParser.Parse(Head + "judge: 'names the ticket'\n");

        // Act
        var result = SuiteEvaluator.Evaluate(suite.Cases[0], "run_1", Run);

        // Assert
        result.Passed.ShouldBeFalse();
        result.Assertions.Single().Actual.ShouldContain("not graded");
    }

    [Theory]
    [InlineData(0.8, true)]
    [InlineData(0.7, true)]
    [InlineData(0.69, false)]
    public void Evaluate_JudgeVerdict_PassesAtOrAboveMinScore(double score, bool passed)
    {
        // Arrange
        var suite = SuiteParser.Parse(Head + "judge: {rubric: 'names the ticket', node: summary}\n");
        var judge = (JudgeAssertion)suite.Cases[0].Assertions[0];

        // Act
        var result = SuiteEvaluator.Evaluate(suite.Cases[0], "run_1", Run, new Dictionary<JudgeAssertion, JudgeVerdict> { [judge] = new(score, "why", "mock", "mock-1") });

        // Assert
        result.Passed.ShouldBe(passed);
        result.Assertions.Single().Actual.ShouldContain("mock/mock-1: why");
    }

    [Fact]
    public async Task GradeAsync_JudgeOnNode_GradesThatNodesOutputOnce()
    {
        // Arrange
        var suite = SuiteParser.Parse("name: s\ngraph: g\ndefaults:\n  assert:\n    - judge: {rubric: r, node: summary}\ncases:\n  - name: c\n    assert:\n      - judge: {rubric: other}\n      - judge: {rubric: r, node: missing}\n");
        var graded = new List<string>();

        // Act
        var verdicts = await JudgeGrading.GradeAsync(suite.Cases[0], Run, (j, text, _) =>
        {
            graded.Add($"{j.Rubric}:{text}");
            return Task.FromResult(new JudgeVerdict(1, "ok"));
        }, CancellationToken.None);

        // Assert
        graded.ShouldBe([$"r:{Run.NodeOutputs["summary"]}", $"other:{Run.Output}"]);
        verdicts.Count.ShouldBe(3);
        verdicts.Values.Last().Error.ShouldBe("node 'missing' has no output");
    }
}
