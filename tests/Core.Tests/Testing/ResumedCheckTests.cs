using Shouldly;
using Warden.Core.Testing;
using Warden.Core.Testing.Assertions;
using Xunit;

namespace Warden.Core.Tests.Testing;

public sealed class ResumedCheckTests
{
    private static readonly ResumeEvidence Counted = new(2, "process killed by SIGKILL (exit 137)", 300, 0.003m, 300, 0.003m);

    private static RunObservation Run(string status = "completed", bool crashed = true, params (string Node, int Visit)[] completed)
    {
        var timeline = new List<ObservedEvent>();
        foreach (var (node, visit) in completed.Length > 0 ? completed : [("n1", 1), ("n2", 1), ("n3", 1)])
        {
            timeline.Add(new ObservedEvent("node.completed", node, 1, new Dictionary<string, string> { ["visit"] = visit.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            if (crashed && timeline.Count == 2)
            {
                timeline.Add(new ObservedEvent("chaos.crash", null, null, new Dictionary<string, string>()));
            }
        }

        return new RunObservation(status, null, "done", new Dictionary<string, string?>(), timeline, new RunTotals(200, 100, 0.003m, 10));
    }

    [Fact]
    public void Evaluate_KilledAndResumedCleanly_Passes()
    {
        // Act
        var result = ResumedCheck.Evaluate(Run(), Counted);

        // Assert
        result.Passed.ShouldBeTrue(result.Actual);
        result.Assertion.ShouldBe("resumed");
        result.Actual.ShouldContain("restarted, resumed: 3 step(s) completed once each");
    }

    [Fact]
    public void Evaluate_StepCompletedTwice_FailsNamingIt()
    {
        // Act
        var result = ResumedCheck.Evaluate(Run("completed", true, ("n1", 1), ("n2", 1), ("n2", 1), ("n3", 1)), Counted);

        // Assert
        result.Passed.ShouldBeFalse();
        result.Actual.ShouldContain("n2 (visit 1) completed 2 times");
    }

    [Fact]
    public void Evaluate_LoopVisitsOfOneNode_AreNotDuplicates()
    {
        // Act
        var result = ResumedCheck.Evaluate(Run("completed", true, ("n1", 1), ("n1", 2), ("n2", 1)), Counted);

        // Assert
        result.Passed.ShouldBeTrue(result.Actual);
    }

    [Theory]
    [InlineData(301, 0.003, 300, 0.003, "its steps'")]
    [InlineData(300, 0.003, 600, 0.006, "usage rows")]
    public void Evaluate_UsageCountedTwice_Fails(long stepTokens, double stepCost, long rowTokens, double rowCost, string named)
    {
        // Arrange
        var evidence = Counted with { StepTokens = stepTokens, StepCostUsd = (decimal)stepCost, UsageRowTokens = rowTokens, UsageRowCostUsd = (decimal)rowCost };

        // Act
        var result = ResumedCheck.Evaluate(Run(), evidence);

        // Assert
        result.Passed.ShouldBeFalse();
        result.Actual.ShouldContain(named);
    }

    [Fact]
    public void Evaluate_NeverKilledOrNotCompleted_Fails()
    {
        // Act
        var notKilled = ResumedCheck.Evaluate(Run(crashed: false), Counted);
        var failed = ResumedCheck.Evaluate(Run("failed"), Counted);

        // Assert
        notKilled.Passed.ShouldBeFalse();
        notKilled.Actual.ShouldContain("never killed");
        failed.Passed.ShouldBeFalse();
        failed.Actual.ShouldContain("status failed");
    }
}
