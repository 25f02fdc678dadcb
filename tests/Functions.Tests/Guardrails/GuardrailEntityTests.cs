using Shouldly;
using Warden.Core.Guardrails.Budget;
using Warden.Core.Guardrails.CircuitBreaker;
using Warden.Core.Guardrails.RateLimit;
using Warden.Functions.Guardrails;
using Warden.Functions.Tests.Support;
using Warden.Runtime.Guardrails;
using Xunit;

namespace Warden.Functions.Tests.Guardrails;

public class GuardrailEntityTests
{
    private static readonly DateTimeOffset Now = new(2026, 8, 14, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Failure_ThresholdReached_OpensTheBreakerForItsBreak()
    {
        // Arrange
        var breaker = new EntityHarness<CircuitBreakerEntity>(nameof(CircuitBreakerEntity), "openai@eastus");
        var request = new BreakerRequest(Now, CircuitBreakerOptions.Default with { FailureThreshold = 3 });
        for (var i = 0; i < 3; i++)
        {
            await breaker.CallAsync(nameof(CircuitBreakerEntity.Failure), request);
        }

        // Act
        var check = await breaker.CallAsync<BreakerDecision>(nameof(CircuitBreakerEntity.Check), request);

        // Assert
        check.Allowed.ShouldBeFalse();
        check.Status.ShouldBe(BreakerStatus.Open);
        check.RetryAfter.ShouldBe(CircuitBreakerOptions.Default.BreakDuration);
        breaker.State<CircuitBreakerState>().ConsecutiveFailures.ShouldBe(3);
    }

    [Fact]
    public async Task Reset_OpenBreaker_AllowsCallsAgain()
    {
        // Arrange
        var breaker = new EntityHarness<CircuitBreakerEntity>(nameof(CircuitBreakerEntity), "openai");
        var request = new BreakerRequest(Now, CircuitBreakerOptions.Default with { FailureThreshold = 1 });
        await breaker.CallAsync(nameof(CircuitBreakerEntity.Failure), request);

        // Act
        await breaker.CallAsync(nameof(CircuitBreakerEntity.Reset), request);

        // Assert
        (await breaker.CallAsync<BreakerDecision>(nameof(CircuitBreakerEntity.Check), request)).Allowed.ShouldBeTrue();
    }

    [Fact]
    public async Task Acquire_LimitReached_RefusesUntilTheWindowSlides()
    {
        // Arrange
        var rate = new EntityHarness<RateLimitEntity>(nameof(RateLimitEntity), "mock");
        var request = new RateRequest(Now, RateLimitOptions.PerMinute(2));
        await rate.CallAsync(nameof(RateLimitEntity.Acquire), request);
        await rate.CallAsync(nameof(RateLimitEntity.Acquire), request);

        // Act
        var third = await rate.CallAsync<RateLimitDecision>(nameof(RateLimitEntity.Acquire), request);

        // Assert
        third.Allowed.ShouldBeFalse();
        third.RetryAfter.ShouldBeGreaterThan(TimeSpan.Zero);
        rate.State<SlidingWindowState>().Current.ShouldBe(2);
    }

    [Fact]
    public async Task Reserve_FirstOperation_StartsAnUncappedBudgetScopedByItsKey()
    {
        // Arrange
        var key = GuardrailKeys.GraphBudget("demo", "seq");
        var budget = new EntityHarness<BudgetEntity>(nameof(BudgetEntity), key);

        // Act
        var decision = await budget.CallAsync<BudgetDecision>(nameof(BudgetEntity.Reserve), new BudgetOperation.Reserve("run_1/n1/1/1", 0.5m, 100));

        // Assert
        decision.Admitted.ShouldBeTrue();
        var state = budget.State<BudgetState>();
        state.Scope.ShouldBe(key);
        state.Limit.ShouldBe(BudgetLimit.Unlimited);
        state.Reservations.Keys.ShouldBe(["run_1/n1/1/1"]);
    }

    [Fact]
    public async Task Reserve_OverTheLimitSetEarlier_IsRefusedWithTheReason()
    {
        // Arrange
        var budget = new EntityHarness<BudgetEntity>(nameof(BudgetEntity), GuardrailKeys.RunBudget("run_1"));
        await budget.CallAsync(nameof(BudgetEntity.SetLimit), new BudgetLimit(1m, null));
        await budget.CallAsync(nameof(BudgetEntity.Settle), new BudgetOperation.Settle("run_1/n1/1/1", 0.8m, 1000));

        // Act
        var decision = await budget.CallAsync<BudgetDecision>(nameof(BudgetEntity.Reserve), new BudgetOperation.Reserve("run_1/n2/1/1", 0.5m, 100));

        // Assert
        decision.Admitted.ShouldBeFalse();
        decision.Reason.ShouldNotBeNull().ShouldContain("would be exceeded");
        budget.State<BudgetState>().Reservations.ShouldBeEmpty();
        budget.State<BudgetState>().SpentUsd.ShouldBe(0.8m);
    }

    [Fact]
    public async Task ReleaseRun_FinishedRun_FreesOnlyThatRunsReservations()
    {
        // Arrange
        var budget = new EntityHarness<BudgetEntity>(nameof(BudgetEntity), GuardrailKeys.TenantBudget("demo", Now));
        await budget.CallAsync(nameof(BudgetEntity.Reserve), new BudgetOperation.Reserve("run_1/n1/1/1", 0.1m, 10));
        await budget.CallAsync(nameof(BudgetEntity.Reserve), new BudgetOperation.Reserve("run_2/n1/1/1", 0.2m, 20));

        // Act
        await budget.CallAsync(nameof(BudgetEntity.ReleaseRun), "run_1");

        // Assert
        budget.State<BudgetState>().Reservations.Keys.ShouldBe(["run_2/n1/1/1"]);
    }

    [Fact]
    public async Task SetLimit_ReturnsTheBudgetWithItsNewCap()
    {
        // Arrange
        var budget = new EntityHarness<BudgetEntity>(nameof(BudgetEntity), GuardrailKeys.TenantBudget("demo", Now));
        await budget.CallAsync(nameof(BudgetEntity.Settle), new BudgetOperation.Settle("run_1/n1/1/1", 2m, 100));

        // Act
        var state = await budget.CallAsync<BudgetState>(nameof(BudgetEntity.SetLimit), new BudgetLimit(2m, null));

        // Assert
        state.ShouldNotBeNull().Limit.MaxCostUsd.ShouldBe(2m);
        state.Exhausted.ShouldBeTrue();
    }
}
