using Shouldly;
using Warden.Core.Contracts;
using Xunit;

namespace Warden.Core.Tests.Contracts;

public class ContractCheckerTests
{
    private static CompiledContract Compile(
        string? input = null, string? output = null, long? maxTokens = null, CitationRule? citations = null, params string[] forbidden) =>
        CompiledContract.Compile(new NodeContract("c", input, output, maxTokens, citations, forbidden.Length > 0 ? forbidden : null));

    public static TheoryData<string, string, long, string?, string?> OutputRows => new()
    {
        // rule, output, output tokens, expected violated rule (null: holds), fragment of actual
        { "output_schema object", """{"verdict":"pass"}""", 5, null, null },
        { "output_schema object", """{"verdict":3}""", 5, "output_schema", "/verdict" },
        { "output_schema object", "VERDICT: pass", 5, "output_schema", "/" },
        { "output_schema string", "Plan for sorting: 1. read", 5, null, null },
        { "output_schema string", "Here is a plan", 5, "output_schema", "regular expression" },
        { "max_output_tokens", "short", 100, null, null },
        { "max_output_tokens", "long", 101, "max_output_tokens", "101 output tokens" },
        { "citations", "as shown [doc#intro] and [kb/runbook#rollback]", 5, null, null },
        { "citations", "as shown [doc#intro] and again [doc#intro]", 5, "citations", "1: [doc#intro]" },
        { "citations", "no sources at all", 5, "citations", "none" },
        { "forbidden", "all clear", 5, null, null },
        { "forbidden", "the Password is hunter2", 5, "forbidden[0]", "'Password' at 4" },
        { "forbidden", "TODO: later", 5, "forbidden[1]", "'TODO' at 0" },
    };

    [Theory]
    [MemberData(nameof(OutputRows))]
    public void CheckOutput_OneRule_HoldsOrNamesTheRule(string rule, string output, long tokens, string? violated, string? actual)
    {
        // Arrange
        var contract = rule switch
        {
            "output_schema object" => Compile(output: """{"type":"object","required":["verdict"],"properties":{"verdict":{"enum":["pass","revise"]}}}"""),
            "output_schema string" => Compile(output: """{"type":"string","pattern":"^Plan for "}"""),
            "max_output_tokens" => Compile(maxTokens: 100),
            "citations" => Compile(citations: new CitationRule(2, CitationRule.DefaultPattern)),
            _ => Compile(forbidden: ["(?i)password", "TODO"]),
        };

        // Act
        var violations = ContractChecker.CheckOutput(contract, output, tokens);

        // Assert
        if (violated is null)
        {
            violations.ShouldBeEmpty();
            return;
        }

        var violation = violations.ShouldHaveSingleItem();
        violation.Rule.ShouldBe(violated);
        violation.Actual.ShouldContain(actual!);
        violation.Expected.ShouldNotBeNullOrWhiteSpace();
    }

    public static TheoryData<string, string?> InputRows => new()
    {
        { """{"task":"sort numbers"}""", null },
        { """{"topic":"sort numbers"}""", "required" },
        { "[1, 2]", "/" },
    };

    [Theory]
    [MemberData(nameof(InputRows))]
    public void CheckInput_AgainstSchema_HoldsOrSaysWhy(string input, string? actual)
    {
        // Arrange
        var contract = Compile(input: """{"type":"object","required":["task"]}""");

        // Act
        var violations = ContractChecker.CheckInput(contract, input);

        // Assert
        if (actual is null)
        {
            violations.ShouldBeEmpty();
        }
        else
        {
            violations.ShouldHaveSingleItem().Rule.ShouldBe("input_schema");
            violations[0].Actual.ShouldContain(actual);
        }
    }

    [Fact]
    public void Check_SeveralRulesBroken_ReportsEachInRuleOrder()
    {
        // Arrange
        var contract = Compile(input: """{"type":"string"}""", output: """{"type":"object"}""", maxTokens: 1, citations: new CitationRule(1, CitationRule.DefaultPattern), "secret");

        // Act
        var violations = ContractChecker.Check(contract, "{}", "a secret", 9);

        // Assert
        violations.Select(v => v.Rule).ShouldBe(["input_schema", "output_schema", "max_output_tokens", "citations", "forbidden[0]"]);
        ContractChecker.Describe(contract.Contract, violations).ShouldStartWith("contract 'c' violated: input_schema: expected");
    }

    [Fact]
    public void CheckInput_WithoutInputSchema_IgnoresTheInput()
    {
        // Arrange
        var contract = Compile(maxTokens: 10);

        // Act
        var violations = ContractChecker.CheckInput(contract, "not json at all");

        // Assert
        violations.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("{}", new string[0], "{}")]
    [InlineData("{\"task\":\"x\"}", new[] { "plan=1. step" }, "\"1. step\"")]
    [InlineData("{}", new[] { "plan={\"steps\":2}" }, "{\"steps\":2}")]
    [InlineData("{}", new[] { "plan=text", "research=[1]" }, "{\"plan\":\"text\",\"research\":[1]}")]
    public void ContractInput_For_IsRunInputOneUpstreamOrUpstreamById(string runInput, string[] upstream, string expected)
    {
        // Arrange
        var outputs = upstream.Select(u => (u[..u.IndexOf('=', StringComparison.Ordinal)], u[(u.IndexOf('=', StringComparison.Ordinal) + 1)..])).ToList();

        // Act
        var input = ContractInput.For(runInput, outputs);

        // Assert
        input.ShouldBe(expected);
    }
}
