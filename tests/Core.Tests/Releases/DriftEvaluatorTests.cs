using Shouldly;
using Warden.Core.Releases;
using Xunit;

namespace Warden.Core.Tests.Releases;

public class DriftEvaluatorTests
{
    private static List<DriftSample> Runs(int count, decimal cost = 0.01m, int ms = 1000, string output = "the plan ships the rate limiter on friday", int failed = 0) =>
        [.. Enumerable.Range(0, count).Select(i => new DriftSample(i >= failed, TimeSpan.FromMilliseconds(ms), cost, output))];

    [Fact]
    public void Compare_SameBehaviour_NothingDrifts()
    {
        // Act
        var report = DriftEvaluator.Compare(Runs(10), Runs(6));

        // Assert
        report.NoData.ShouldBeNull();
        report.Drifted.ShouldBeFalse();
        report.Metrics.Select(m => m.Name).ShouldBe(["cost_per_run", "latency_p50_ms", "output_length", "error_rate", "output_similarity"]);
        report.Metrics.Single(m => m.Name == "output_similarity").Recent.ShouldBe(1);
    }

    [Theory]
    [InlineData("cost_per_run", 0.03, 1000, "the plan ships the rate limiter on friday", 0, 3.0)]
    [InlineData("cost_per_run", 0.004, 1000, "the plan ships the rate limiter on friday", 0, 0.4)]
    [InlineData("latency_p50_ms", 0.01, 2500, "the plan ships the rate limiter on friday", 0, 2.5)]
    [InlineData("output_length", 0.01, 1000, "ok", 0, 0.0488)]
    [InlineData("error_rate", 0.01, 1000, "the plan ships the rate limiter on friday", 2, 0.4)]
    [InlineData("output_similarity", 0.01, 1000, "an unrelated poem about autumn leaves falling gently down", 0, -1.0)]
    public void Compare_OneMeasureMoves_ThatMeasureDriftsWithItsChange(string metric, double cost, int ms, string output, int failed, double change)
    {
        // Act
        var report = DriftEvaluator.Compare(Runs(10), Runs(5, (decimal)cost, ms, output, failed));

        // Assert
        var drifted = report.Metrics.Single(m => m.Name == metric);
        drifted.Drifted.ShouldBeTrue();
        drifted.Change.ShouldBe(change, 0.0001);
        drifted.Statistic.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void Compare_TooFewRuns_NoDataWithTheReason()
    {
        // Act
        var report = DriftEvaluator.Compare(Runs(10), Runs(4, cost: 1m));

        // Assert
        report.Drifted.ShouldBeFalse();
        report.Metrics.ShouldBeEmpty();
        report.NoData!.ShouldContain("recent 4");
    }
}
