using Shouldly;
using Warden.Core.Runs;
using Warden.Core.Runs.Chaos;
using Xunit;

namespace Warden.Core.Tests.Runs.Chaos;

public sealed class ChaosPlanTests
{
    [Theory]
    [InlineData(0.0, 0.0, 0.0, 1, ChaosFault.None)]
    [InlineData(1.0, 0.0, 0.0, 1, ChaosFault.ProviderError)]
    [InlineData(0.0, 1.0, 0.0, 1, ChaosFault.RateLimited)]
    [InlineData(0.0, 0.0, 1.0, 1, ChaosFault.Timeout)]
    [InlineData(1.0, 1.0, 1.0, 1, ChaosFault.Timeout)]
    [InlineData(1.0, 1.0, 1.0, 2, ChaosFault.ProviderError)]
    [InlineData(0.0, 1.0, 1.0, 2, ChaosFault.RateLimited)]
    [InlineData(0.0, 0.0, 1.0, 2, ChaosFault.None)]
    public void ForProviderCall_CertainRates_DrawTheFaultInPrecedenceOrder(double errors, double rateLimits, double timeouts, int call, ChaosFault expected)
    {
        // Arrange
        var chaos = new ChaosSettings(ProviderErrorRate: errors, RateLimitRate: rateLimits, TimeoutRate: timeouts);

        // Act
        var fault = ChaosPlan.ForProviderCall(chaos, seed: 7, "n1", visit: 1, attempt: 1, call);

        // Assert
        fault.ShouldBe(expected);
    }

    [Fact]
    public void ForProviderCall_NoChaos_NeverFaults()
    {
        // Act
        var faults = Enumerable.Range(1, 50).Select(call => ChaosPlan.ForProviderCall(null, 7, "n1", 1, 1, call));

        // Assert
        faults.ShouldAllBe(f => f == ChaosFault.None);
    }

    [Fact]
    public void ForProviderCall_SameKey_DrawsTheSameFaultEveryTime()
    {
        // Arrange
        var chaos = new ChaosSettings(ProviderErrorRate: 0.5, RateLimitRate: 0.3);
        var keys = Enumerable.Range(1, 200).Select(i => (Node: $"n{i % 7}", Attempt: 1 + (i % 3), Call: 1 + (i % 4))).ToList();

        // Act
        var first = keys.Select(k => ChaosPlan.ForProviderCall(chaos, 42, k.Node, 1, k.Attempt, k.Call)).ToList();
        var again = keys.Select(k => ChaosPlan.ForProviderCall(chaos, 42, k.Node, 1, k.Attempt, k.Call)).ToList();

        // Assert
        again.ShouldBe(first);
        first.ShouldContain(ChaosFault.ProviderError);
        first.ShouldContain(ChaosFault.None);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.7)]
    public void ForProviderCall_ManyKeys_FaultsAtAboutTheRate(double rate)
    {
        // Arrange
        var chaos = new ChaosSettings(ProviderErrorRate: rate);

        // Act
        var share = Enumerable.Range(1, 4000).Count(i => ChaosPlan.ForProviderCall(chaos, i, "n1", 1, 1, 1) == ChaosFault.ProviderError) / 4000.0;

        // Assert
        share.ShouldBeInRange(rate - 0.04, rate + 0.04);
    }

    [Theory]
    [InlineData(0.0, 0.0, ChaosFault.None)]
    [InlineData(1.0, 0.0, ChaosFault.ToolFailure)]
    [InlineData(0.0, 1.0, ChaosFault.Timeout)]
    [InlineData(1.0, 1.0, ChaosFault.Timeout)]
    public void ForToolCall_CertainRates_DrawTheFault(double failures, double timeouts, ChaosFault expected)
    {
        // Act
        var fault = ChaosPlan.ForToolCall(new ChaosSettings(ToolFailureRate: failures, TimeoutRate: timeouts), 7, "lookup", 1, 1);

        // Assert
        fault.ShouldBe(expected);
    }

    [Fact]
    public void ForToolCall_ProviderRates_DoNotFailTools()
    {
        // Act
        var fault = ChaosPlan.ForToolCall(new ChaosSettings(ProviderErrorRate: 1, RateLimitRate: 1), 7, "lookup", 1, 1);

        // Assert
        fault.ShouldBe(ChaosFault.None);
    }

    [Theory]
    [InlineData(null, 5, false)]
    [InlineData(2, 1, false)]
    [InlineData(2, 2, true)]
    [InlineData(2, 3, true)]
    public void CrashDue_CompletedSteps_DueFromTheKthStep(int? k, int completed, bool due)
    {
        // Act
        var result = ChaosPlan.CrashDue(new ChaosSettings(CrashAfterSteps: k), completed);

        // Assert
        result.ShouldBe(due);
    }

    [Fact]
    public void RetryAfterAndLatency_Defaults_OneSecondAndNone()
    {
        // Act
        var wait = ChaosPlan.RetryAfter(new ChaosSettings());
        var latency = ChaosPlan.AddedLatency(null);
        var added = ChaosPlan.AddedLatency(new ChaosSettings(AddedLatencyMs: 50));

        // Assert
        wait.ShouldBe(TimeSpan.FromSeconds(1));
        latency.ShouldBe(TimeSpan.Zero);
        added.ShouldBe(TimeSpan.FromMilliseconds(50));
    }
}
