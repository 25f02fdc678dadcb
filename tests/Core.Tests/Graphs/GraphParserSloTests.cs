using Shouldly;
using Warden.Core.Graphs;
using Warden.Core.Releases;
using Xunit;

namespace Warden.Core.Tests.Graphs;

public class GraphParserSloTests
{
    private const string Head = "name: demo\nnodes:\n  - { id: a, role: planner, prompt: go }\n";

    [Fact]
    public void Parse_SlosSection_ReadsEveryObjective()
    {
        // Arrange
        const string yaml = Head + """
            slos:
              window: 2h
              auto_rollback: true
              min_runs: 3
              objectives:
                - success_rate: 0.95
                - p95_latency: 30s
                - cost_per_run: 0.05
                - { suite_pass_rate: 1.0, suite: smoke }
                - shadow_divergence: 0.85
            """;

        // Act
        var slos = GraphParser.Parse(yaml).Slos!;

        // Assert
        (slos.Window, slos.AutoRollback, slos.MinSamples).ShouldBe((TimeSpan.FromHours(2), true, 3));
        slos.Objectives.ShouldBe([
            new SloObjective(SloKind.SuccessRate, 0.95),
            new SloObjective(SloKind.P95Latency, 30),
            new SloObjective(SloKind.CostPerRun, 0.05),
            new SloObjective(SloKind.SuitePassRate, 1.0, "smoke"),
            new SloObjective(SloKind.ShadowDivergence, 0.85),
        ]);
    }

    [Fact]
    public void Parse_NoSlos_DefaultsToNone() => GraphParser.Parse(Head).Slos.ShouldBeNull();

    [Theory]
    [InlineData("slos:\n  objectives:\n    - success_rate: 1.5\n", "$.slos.objectives[0].success_rate", 6, 21)]
    [InlineData("slos:\n  objectives:\n    - p95_latency: fast\n", "$.slos.objectives[0].p95_latency", 6, 20)]
    [InlineData("slos:\n  objectives:\n    - suite_pass_rate: 1\n", "$.slos.objectives[0].suite", 6, 7)]
    [InlineData("slos:\n  objectives:\n    - { success_rate: 0.9, cost_per_run: 1 }\n", "$.slos.objectives[0]", 6, 7)]
    [InlineData("slos:\n  auto_rollback: maybe\n  objectives:\n    - success_rate: 0.9\n", "$.slos.auto_rollback", 5, 18)]
    [InlineData("slos:\n  window: 1h\n", "$.slos.objectives", 5, 3)]
    [InlineData("slos:\n  objectives:\n    - error_rate: 0.1\n", "$.slos.objectives[0].error_rate", 6, 7)]
    public void Parse_BadSlos_PointsAtTheLine(string slos, string path, int line, int column)
    {
        // Act
        var errors = Should.Throw<GraphValidationException>(() => GraphParser.Parse(Head + slos)).Errors;

        // Assert
        var error = errors.First(e => e.Path == path);
        (error.Line, error.Column).ShouldBe((line, column), string.Join("\n", errors));
    }
}
