using Shouldly;
using Warden.Core.Testing;
using Xunit;

namespace Warden.Core.Tests.Testing.Assertions;

public class AssertionEvaluationTests
{
    /// <summary>A finished run: planner → approval → executor (retried once, on a fallback) → reviewer twice → report.</summary>
    private static readonly RunObservation Run = new(
        "completed",
        null,
        """{"verdict":"pass","items":[{"name":"web"}],"count":3}""",
        new Dictionary<string, string?>
        {
            ["planner"] = "1. drain the web tier\n2. restart it",
            ["reviewer"] = "VERDICT: pass",
            ["report"] = "Contact ops at oncall@example.com",
        },
        [
            E("run.started", null),
            E("node.started", "planner", ("provider", "mock")),
            E("node.completed", "planner", ("provider", "mock"), ("failed_calls", "0")),
            E("approval.requested", "approve", ("approval_id", "apr_1")),
            E("approval.approved", "approve"),
            E("node.started", "executor"),
            E("node.failed", "executor", ("will_retry", "true")),
            E("node.started", "executor"),
            E("node.completed", "executor", ("provider", "openai"), ("failed_calls", "1")),
            E("governance.redacted", "executor", ("kinds", "email@output:0+5")),
            E("node.completed", "reviewer", ("provider", "mock")),
            E("node.completed", "reviewer", ("provider", "mock")),
            E("governance.blocked", "report", ("code", "INJECTION_BLOCKED"), ("reason", "ignore previous instructions")),
            E("node.completed", "report", ("provider", "mock")),
            E("run.completed", null),
        ],
        new RunTotals(1000, 500, 0.0125m, 4200));

    private static ObservedEvent E(string type, string? node, params (string Key, string Value)[] data) =>
        new(type, node, node is null ? null : 1, data.ToDictionary(d => d.Key, d => d.Value));

    public static TheoryData<string, bool, string> Rows => new()
    {
        { "status: completed", true, "completed" },
        { "status: failed\n        error_code: BUDGET_EXCEEDED", false, "completed" },
        { "error_code: BUDGET_EXCEEDED", false, "completed" },
        { "contains: drain\n        node: planner", true, "drain" },
        { "contains: rollback\n        node: planner", false, "1. drain the web tier" },
        { "contains: anything\n        node: missing", false, "(no output)" },
        { "not_contains: secret", true, "verdict" },
        { "equals: 'VERDICT: pass'\n        node: reviewer", true, "VERDICT: pass" },
        { "equals: 'VERDICT: revise'\n        node: reviewer", false, "VERDICT: pass" },
        { "regex: '^VERDICT: (pass|revise)$'\n        node: reviewer", true, "VERDICT" },
        { "regex: '^\\d+\\. restart'\n        node: planner", false, "1. drain" },
        { "json_path: verdict\n        equals: pass", true, "\"pass\"" },
        { "json_path: count\n        equals: 3", true, "3" },
        { "json_path: count\n        equals: '3'", false, "3" },
        { "json_path: items.0.name\n        equals: web", true, "\"web\"" },
        { "json_path: $.items.1\n        exists: false", true, "missing" },
        { "json_path: verdict\n        exists: true\n        node: reviewer", false, "not JSON" },
        { "json_schema: { type: object, required: [verdict], properties: { count: { type: integer, maximum: 5 } } }", true, "valid" },
        { "json_schema: { type: object, properties: { count: { type: integer, maximum: 2 } } }", false, "/count" },
        { "similar_to: 'drain and restart the web tier'\n        node: planner\n        threshold: 0.55", true, "0.556" },
        { "similar_to: 'rotate the credentials'\n        node: planner", false, "0.1:" },
        { "visited: [planner, executor]", true, "planner → approve → executor" },
        { "visited: coder", false, "not visited: coder" },
        { "not_visited: coder", true, "path" },
        { "order: [planner, approve, executor, report]", true, "planner → approve" },
        { "order: [executor, planner]", false, "planner → approve → executor" },
        { "visits: 2\n        node: reviewer", true, "2" },
        { "visits: 1\n        node: reviewer", false, "2" },
        { "approval_requested: true\n        node: approve", true, "requested by approve" },
        { "approval_requested: false", false, "requested by approve" },
        { "max_retries: 1\n        node: executor", true, "1" },
        { "max_retries: 0", false, "1" },
        { "provider: openai\n        node: executor", true, "openai" },
        { "provider: anthropic", false, "mock, openai" },
        { "max_tokens: 1500", true, "1500 tokens" },
        { "max_tokens: 1499", false, "1500 tokens" },
        { "max_cost_usd: 0.01", false, "0.0125 USD" },
        { "max_duration: 5s", true, "4200 ms" },
        { "max_duration: 4s", false, "4200 ms" },
        { "max_provider_calls: 7", true, "7 provider calls" },
        { "max_provider_calls: 6", false, "7 provider calls" },
        { "no_pii: true\n        node: planner", true, "none found" },
        { "no_pii: true\n        node: report", false, "Email" },
        { "redacted: true", true, "email@output" },
        { "redacted: false\n        node: planner", true, "none" },
        { "injection_blocked: true", true, "ignore previous instructions" },
        { "injection_blocked: true\n        node: planner", false, "none" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Evaluate_AssertionOnRun_GivesVerdictWithActual(string assertion, bool passed, string actual)
    {
        // Arrange
        var suite = SuiteParser.Parse("name: s\ngraph: g\ncases:\n  - name: c\n    assert:\n      - " + assertion + "\n");

        // Act
        var result = SuiteEvaluator.Evaluate(suite.Cases[0], "run_1", Run);

        // Assert
        var verdict = result.Assertions.Single();
        verdict.Passed.ShouldBe(passed, $"expected {verdict.Expected}, actual {verdict.Actual}");
        verdict.Actual.ShouldContain(actual, Case.Insensitive);
        verdict.Expected.ShouldNotBeNullOrWhiteSpace();
        result.Passed.ShouldBe(passed);
    }

    [Fact]
    public void Evaluate_WaitingRun_MatchesStatusWaiting()
    {
        // Arrange
        var suite = SuiteParser.Parse("name: s\ngraph: g\ncases:\n  - name: c\n    assert:\n      - status: waiting\n      - approval_requested: true\n");

        // Act
        var result = SuiteEvaluator.Evaluate(suite.Cases[0], "run_1", Run with { Status = "waiting" });

        // Assert
        result.Passed.ShouldBeTrue();
        result.Assertions.Count.ShouldBe(2);
    }

    [Fact]
    public void Errored_Case_FailsWithTheReason()
    {
        // Arrange
        var suite = SuiteParser.Parse("name: s\ngraph: g\ncases:\n  - name: c\n    assert:\n      - status: completed\n");

        // Act
        var result = SuiteEvaluator.Errored(suite.Cases[0], null, "graph not found");
        var summary = new SuiteResult("s", "g", null, [result]);

        // Assert
        result.Passed.ShouldBeFalse();
        summary.FailedAssertions.ShouldBe(1);
        summary.Passed.ShouldBeFalse();
    }
}
