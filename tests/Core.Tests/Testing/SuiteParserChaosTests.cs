using System.Text.Json.Nodes;
using Shouldly;
using Warden.Core.Testing;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Testing;

public sealed class SuiteParserChaosTests
{
    private const string Head = "name: s\ngraph: g\ncases:\n  - name: c\n";
    private const string Tail = "    assert:\n      - status: completed\n";

    [Fact]
    public void Parse_CaseChaos_KeepsItAsStartRunOptions()
    {
        // Arrange
        const string chaos = "    chaos: { provider_error_rate: 0.3, rate_limit_rate: 0.2, retry_after: 1s, latency_ms: 50, timeout_rate: 0.1, tool_failure_rate: 0.5, crash_after_steps: 2 }\n";

        // Act
        var suiteCase = SuiteParser.Parse(Head + chaos + Tail).Cases[0];

        // Assert
        var options = JsonNode.Parse(suiteCase.RunOptions!)!["chaos"]!;
        options["provider_error_rate"]!.GetValue<double>().ShouldBe(0.3);
        options["rate_limit_rate"]!.GetValue<double>().ShouldBe(0.2);
        options["retry_after"]!.GetValue<string>().ShouldBe("1s");
        options["latency_ms"]!.GetValue<double>().ShouldBe(50);
        options["timeout_rate"]!.GetValue<double>().ShouldBe(0.1);
        options["tool_failure_rate"]!.GetValue<double>().ShouldBe(0.5);
        options["crash_after_steps"]!.GetValue<double>().ShouldBe(2);
    }

    [Fact]
    public void Parse_ExampleChaosSuite_HasAFaultCaseAndACrashCase()
    {
        // Act
        var suite = SuiteParser.Parse(RepoFiles.Read("examples/suites/research-to-code-chaos.suite.yaml"));

        // Assert
        suite.Cases.Count.ShouldBe(2);
        suite.Cases.ShouldAllBe(c => c.RunOptions != null && c.RunOptions.Contains("provider_error_rate"));
        JsonNode.Parse(suite.Cases[1].RunOptions!)!["chaos"]!["crash_after_steps"]!.GetValue<double>().ShouldBe(2);
    }

    [Theory]
    [InlineData("    chaos: [a]\n", "$.cases[0].chaos", 5, 12)]
    [InlineData("    chaos: { error_rate: 0.3 }\n", "$.cases[0].chaos.error_rate", 5, 14)]
    [InlineData("    chaos: { provider_error_rate: 1.5 }\n", "$.cases[0].chaos.provider_error_rate", 5, 35)]
    [InlineData("    chaos:\n      crash_after_steps: 0\n", "$.cases[0].chaos.crash_after_steps", 6, 26)]
    [InlineData("    chaos:\n      crash_after_steps: 1.5\n", "$.cases[0].chaos.crash_after_steps", 6, 26)]
    [InlineData("    chaos:\n      retry_after: soon\n", "$.cases[0].chaos.retry_after", 6, 20)]
    [InlineData("    chaos:\n      retry_after: 5m\n", "$.cases[0].chaos.retry_after", 6, 20)]
    public void Parse_BadCaseChaos_ReportsLineAndColumn(string chaos, string path, int line, int column)
    {
        // Act
        var ex = Should.Throw<SuiteValidationException>(() => SuiteParser.Parse(Head + chaos + Tail));

        // Assert
        var error = ex.Errors.ShouldHaveSingleItem();
        error.Path.ShouldBe(path);
        error.Line.ShouldBe(line);
        error.Column.ShouldBe(column);
    }
}
