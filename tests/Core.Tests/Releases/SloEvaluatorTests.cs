using Shouldly;
using Warden.Core.Releases;
using Xunit;

namespace Warden.Core.Tests.Releases;

public class SloEvaluatorTests
{
    private static SloMeasurements Runs(int completed, int failed, double seconds = 1, decimal cost = 0.01m) =>
        new([.. Enumerable.Range(0, completed).Select(_ => new RunSample(true, TimeSpan.FromSeconds(seconds), cost)), .. Enumerable.Range(0, failed).Select(_ => new RunSample(false, TimeSpan.FromSeconds(seconds), cost))], [], []);

    [Theory]
    [InlineData(100, 0, 0.95, SloStatus.Passed, 1.0, 0.0, 1.0)]
    [InlineData(96, 4, 0.95, SloStatus.Passed, 0.96, 0.8, 0.2)]
    [InlineData(95, 5, 0.95, SloStatus.Passed, 0.95, 1.0, 0.0)]
    [InlineData(90, 10, 0.95, SloStatus.Breached, 0.90, 2.0, 0.0)]
    [InlineData(5, 5, 0.5, SloStatus.Passed, 0.5, 1.0, 0.0)]
    [InlineData(3, 7, 0.9, SloStatus.Breached, 0.3, 7.0, 0.0)]
    public void Evaluate_SuccessRate_MeasuresShareBurnAndBudget(int completed, int failed, double target, SloStatus status, double measured, double burn, double left)
    {
        // Act
        var result = SloEvaluator.Evaluate(new SloObjective(SloKind.SuccessRate, target), 5, Runs(completed, failed));

        // Assert
        result.Status.ShouldBe(status);
        result.Measured!.Value.ShouldBe(measured, 1e-9);
        result.ErrorBudget.ShouldBe(1 - target, 1e-9);
        result.BurnRate!.Value.ShouldBe(burn, 1e-9);
        result.BudgetConsumed!.Value.ShouldBe(burn, 1e-9);
        result.BudgetLeft!.Value.ShouldBe(left, 1e-9);
        (result.Samples, result.BadSamples).ShouldBe((completed + failed, failed));
    }

    [Theory]
    [InlineData(4, 5)]
    [InlineData(0, 1)]
    public void Evaluate_FewerRunsThanMinimum_NoDataAndNotABreach(int runs, int minimum)
    {
        // Act
        var verdict = SloEvaluator.Evaluate(
            new SloSettings(TimeSpan.FromHours(1), true, minimum, [new(SloKind.SuccessRate, 0.99), new(SloKind.P95Latency, 1), new(SloKind.CostPerRun, 0.001)]),
            Runs(0, runs, seconds: 60, cost: 1m));

        // Assert
        verdict.Passed.ShouldBeTrue();
        verdict.Results.ShouldAllBe(r => r.Status == SloStatus.NoData && r.Measured == null && r.BurnRate == null);
        verdict.Results[0].Detail.ShouldContain($"{minimum} needed");
    }

    [Fact]
    public void Evaluate_PerfectTargetWithOneFailure_BreachesWithUnboundedBurn()
    {
        // Act
        var result = SloEvaluator.Evaluate(new SloObjective(SloKind.SuccessRate, 1.0), 1, Runs(9, 1));

        // Assert
        result.Status.ShouldBe(SloStatus.Breached);
        result.BurnRate.ShouldBeNull();
        result.BudgetLeft.ShouldBe(0);
    }

    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 }, 19)]
    [InlineData(new[] { 5.0 }, 5)]
    [InlineData(new[] { 3.0, 1, 2 }, 3)]
    [InlineData(new[] { 1.0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100 }, 1)]
    [InlineData(new[] { 1.0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100, 100 }, 100)]
    public void P95_NearestRank_PicksTheRankedDuration(double[] seconds, double expected) =>
        SloEvaluator.P95([.. seconds.Select(TimeSpan.FromSeconds)]).ShouldBe(TimeSpan.FromSeconds(expected));

    [Theory]
    [InlineData(40, 0, 30, SloStatus.Passed, 0.0)]
    [InlineData(38, 2, 30, SloStatus.Passed, 1.0)]
    [InlineData(36, 4, 30, SloStatus.Breached, 2.0)]
    [InlineData(39, 1, 30, SloStatus.Passed, 0.5)]
    public void Evaluate_P95Latency_CountsRunsOverTheLimitAgainstFivePercent(int fast, int slow, double limitSeconds, SloStatus status, double burn)
    {
        // Arrange: fast runs take 1s, slow ones 60s.
        var runs = new SloMeasurements(
            [.. Enumerable.Range(0, fast).Select(_ => new RunSample(true, TimeSpan.FromSeconds(1), 0)), .. Enumerable.Range(0, slow).Select(_ => new RunSample(true, TimeSpan.FromSeconds(60), 0))], [], []);

        // Act
        var result = SloEvaluator.Evaluate(new SloObjective(SloKind.P95Latency, limitSeconds), 5, runs);

        // Assert
        result.Status.ShouldBe(status);
        result.Measured.ShouldBe(status == SloStatus.Passed ? 1 : 60);
        result.ErrorBudget.ShouldBe(0.05);
        result.BurnRate!.Value.ShouldBe(burn, 1e-9);
        result.BadSamples.ShouldBe(slow);
    }

    [Theory]
    [InlineData("0.01", 0.05, SloStatus.Passed, 0.01, 0.2, 0.8)]
    [InlineData("0.05", 0.05, SloStatus.Passed, 0.05, 1.0, 0.0)]
    [InlineData("0.10", 0.05, SloStatus.Breached, 0.10, 2.0, 0.0)]
    public void Evaluate_CostPerRun_MeanAgainstObjective(string cost, double target, SloStatus status, double measured, double burn, double left)
    {
        // Act
        var result = SloEvaluator.Evaluate(new SloObjective(SloKind.CostPerRun, target), 5, Runs(10, 0, cost: decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture)));

        // Assert
        result.Status.ShouldBe(status);
        result.Measured!.Value.ShouldBe(measured, 1e-9);
        result.BurnRate!.Value.ShouldBe(burn, 1e-9);
        result.BudgetLeft!.Value.ShouldBe(left, 1e-9);
    }

    [Theory]
    [InlineData(10, 0, 1.0, SloStatus.Passed, 1.0, 0.0)]
    [InlineData(9, 1, 0.8, SloStatus.Passed, 0.9, 0.5)]
    [InlineData(7, 3, 0.8, SloStatus.Breached, 0.7, 1.5)]
    public void Evaluate_SuitePassRate_ReadsTheNamedSuitesCases(int passed, int failed, double target, SloStatus status, double measured, double burn)
    {
        // Arrange
        var measurements = new SloMeasurements([], [new SuiteSample("other", 0, 10, "sr_0"), new SuiteSample("smoke", passed, failed, "sr_1")], []);

        // Act
        var result = SloEvaluator.Evaluate(new SloObjective(SloKind.SuitePassRate, target, "smoke"), 5, measurements);

        // Assert
        result.Status.ShouldBe(status);
        result.Measured!.Value.ShouldBe(measured, 1e-9);
        result.BurnRate!.Value.ShouldBe(burn, 1e-9);
        result.Detail.ShouldContain("sr_1");
    }

    [Fact]
    public void Evaluate_SuitePassRateWithoutAResult_NoData()
    {
        // Act
        var result = SloEvaluator.Evaluate(new SloObjective(SloKind.SuitePassRate, 1, "smoke"), 5, SloMeasurements.Empty);

        // Assert
        result.Status.ShouldBe(SloStatus.NoData);
        result.Detail.ShouldContain("suite 'smoke'");
    }

    [Theory]
    [InlineData(new[] { 1.0, 1, 1, 1, 1 }, 0.85, SloStatus.Passed, 1.0, 0.0)]
    [InlineData(new[] { 0.9, 0.9, 0.9, 0.9, 0.9 }, 0.8, SloStatus.Passed, 0.9, 0.5)]
    [InlineData(new[] { 0.5, 0.7, 0.9, 0.9, 1.0 }, 0.85, SloStatus.Breached, 0.8, 1.3333333333)]
    public void Evaluate_ShadowDivergence_MeanAgreementAgainstObjective(double[] scores, double target, SloStatus status, double measured, double burn)
    {
        // Act
        var result = SloEvaluator.Evaluate(new SloObjective(SloKind.ShadowDivergence, target), 5, new SloMeasurements([], [], scores));

        // Assert
        result.Status.ShouldBe(status);
        result.Measured!.Value.ShouldBe(measured, 1e-9);
        result.BurnRate!.Value.ShouldBe(burn, 1e-6);
    }

    [Fact]
    public void Evaluate_OneObjectiveBreached_VerdictFailsAndNamesIt()
    {
        // Act
        var verdict = SloEvaluator.Evaluate(
            new SloSettings(TimeSpan.FromHours(1), false, 5, [new(SloKind.SuccessRate, 0.5), new(SloKind.CostPerRun, 0.001)]),
            Runs(10, 0, cost: 0.01m));

        // Assert
        verdict.Passed.ShouldBeFalse();
        verdict.Breaches.Select(b => b.Objective.Name).ShouldBe(["cost_per_run"]);
    }
}
