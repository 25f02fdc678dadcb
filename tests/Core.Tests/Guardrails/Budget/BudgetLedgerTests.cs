using Shouldly;
using Warden.Core.Guardrails.Budget;
using Xunit;

namespace Warden.Core.Tests.Guardrails.Budget;

public class BudgetLedgerTests
{
    private const string Scope = "tenant:acme/2026-03";

    private static BudgetState Budget(decimal? maxUsd = 10m, long? maxTokens = 100_000) =>
        BudgetState.For(Scope, new BudgetLimit(maxUsd, maxTokens));

    private static BudgetState Apply(BudgetState state, params BudgetOperation[] operations)
    {
        foreach (var operation in operations)
        {
            state = BudgetLedger.Apply(state, operation).State;
        }

        return state;
    }

    [Fact]
    public void Apply_ReserveWithinLimit_AdmittedAndHeld()
    {
        // Arrange
        var state = Budget();

        // Act
        var (next, decision) = BudgetLedger.Apply(state, new BudgetOperation.Reserve("run-1/coder", 2.5m, 20_000));

        // Assert
        decision.ShouldBe(new BudgetDecision(true, null, 7.5m, 80_000));
        next.Reservations.ShouldContainKeyAndValue("run-1/coder", new Reservation(2.5m, 20_000));
        next.SpentUsd.ShouldBe(0m);
        next.Exhausted.ShouldBeFalse();
    }

    [Theory]
    [InlineData(10.0, true)]
    [InlineData(10.000001, false)]
    [InlineData(12.0, false)]
    public void Apply_ReserveUpToCostCap_AdmittedOnlyWithinCap(double costUsd, bool admitted)
    {
        // Act
        var (_, decision) = BudgetLedger.Apply(Budget(), new BudgetOperation.Reserve("k", (decimal)costUsd, 1));

        // Assert
        decision.Admitted.ShouldBe(admitted);
    }

    [Fact]
    public void Apply_ReservePastCostCap_RefusedWithReasonNamingScope()
    {
        // Arrange
        var state = Apply(Budget(), new BudgetOperation.Reserve("a", 6m, 1_000), new BudgetOperation.Settle("a", 6m, 1_000));

        // Act
        var (next, decision) = BudgetLedger.Apply(state, new BudgetOperation.Reserve("b", 4.5m, 1_000));

        // Assert
        decision.Admitted.ShouldBeFalse();
        decision.Reason.ShouldNotBeNull();
        decision.Reason.ShouldContain(Scope);
        decision.Reason.ShouldContain("$10");
        decision.RemainingUsd.ShouldBe(4m);
        next.ShouldBe(state);
    }

    [Fact]
    public void Apply_ReservePastTokenCap_RefusedWithReasonNamingScope()
    {
        // Arrange
        var state = Apply(Budget(), new BudgetOperation.Reserve("a", 1m, 90_000));

        // Act
        var (next, decision) = BudgetLedger.Apply(state, new BudgetOperation.Reserve("b", 1m, 10_001));

        // Assert
        decision.Admitted.ShouldBeFalse();
        decision.Reason.ShouldNotBeNull();
        decision.Reason.ShouldContain(Scope);
        decision.Reason.ShouldContain("100000 tokens");
        decision.RemainingTokens.ShouldBe(10_000);
        next.ShouldBe(state);
    }

    [Fact]
    public void Apply_ReservationsInFlight_CountAgainstTheCap()
    {
        // Arrange: nothing spent yet, but two steps in flight hold 8 of 10.
        var state = Apply(Budget(), new BudgetOperation.Reserve("a", 4m, 1), new BudgetOperation.Reserve("b", 4m, 1));

        // Act
        var (_, decision) = BudgetLedger.Apply(state, new BudgetOperation.Reserve("c", 2.01m, 1));

        // Assert
        decision.Admitted.ShouldBeFalse();
        decision.RemainingUsd.ShouldBe(2m);
    }

    [Fact]
    public void Apply_ReserveSameKeyAgain_IsIdempotent()
    {
        // Arrange
        var state = Apply(Budget(), new BudgetOperation.Reserve("run-1/coder", 3m, 1_000));

        // Act: a redelivered reserve, even with another estimate, neither doubles nor changes the hold.
        var (next, decision) = BudgetLedger.Apply(state, new BudgetOperation.Reserve("run-1/coder", 9m, 50_000));

        // Assert
        decision.Admitted.ShouldBeTrue();
        decision.RemainingUsd.ShouldBe(7m);
        next.ShouldBe(state);
        next.Reservations.Count.ShouldBe(1);
    }

    [Fact]
    public void Apply_Settle_ReplacesReservationByActualSpend()
    {
        // Arrange
        var state = Apply(Budget(), new BudgetOperation.Reserve("a", 3m, 30_000), new BudgetOperation.Reserve("b", 1m, 1_000));

        // Act
        var (next, decision) = BudgetLedger.Apply(state, new BudgetOperation.Settle("a", 1.25m, 12_345));

        // Assert
        next.SpentUsd.ShouldBe(1.25m);
        next.SpentTokens.ShouldBe(12_345);
        next.Reservations.Keys.ShouldBe(["b"]);
        next.ReservedUsd.ShouldBe(1m);
        decision.ShouldBe(new BudgetDecision(true, null, 10m - 1.25m - 1m, 100_000 - 12_345 - 1_000));
    }

    [Fact]
    public void Apply_Release_FreesReservationWithoutSpending()
    {
        // Arrange
        var state = Apply(Budget(), new BudgetOperation.Reserve("a", 3m, 30_000));

        // Act
        var (next, decision) = BudgetLedger.Apply(state, new BudgetOperation.Release("a"));

        // Assert
        next.Reservations.ShouldBeEmpty();
        next.SpentUsd.ShouldBe(0m);
        decision.RemainingUsd.ShouldBe(10m);
        decision.RemainingTokens.ShouldBe(100_000);
    }

    [Theory]
    [InlineData(9.99, 1_000, false)]
    [InlineData(10.0, 1_000, true)]
    [InlineData(10.5, 1_000, true)]
    [InlineData(1.0, 100_000, true)]
    [InlineData(1.0, 99_999, false)]
    public void Exhausted_AfterSpending_TrueOnlyAtOrPastACap(double spentUsd, long spentTokens, bool exhausted)
    {
        // Arrange: a settle may overshoot its estimate, so spend can pass the cap.
        var state = Apply(Budget(), new BudgetOperation.Reserve("a", 1m, 1), new BudgetOperation.Settle("a", (decimal)spentUsd, spentTokens));

        // Act + Assert
        state.Exhausted.ShouldBe(exhausted);
    }

    [Fact]
    public void Exhausted_ReservedButNotSpent_False()
    {
        // Arrange
        var state = Apply(Budget(), new BudgetOperation.Reserve("a", 10m, 100_000));

        // Act + Assert
        state.Exhausted.ShouldBeFalse();
        state.RemainingUsd.ShouldBe(0m);
    }

    [Fact]
    public void Apply_UnlimitedBudget_AdmitsAnythingAndNeverExhausts()
    {
        // Arrange
        var state = BudgetState.For(Scope, BudgetLimit.Unlimited);

        // Act
        var (next, decision) = BudgetLedger.Apply(state, new BudgetOperation.Reserve("a", 1_000_000m, long.MaxValue / 2));
        next = Apply(next, new BudgetOperation.Settle("a", 1_000_000m, long.MaxValue / 2));

        // Assert
        decision.ShouldBe(new BudgetDecision(true, null, null, null));
        next.Exhausted.ShouldBeFalse();
    }

    [Fact]
    public void Apply_OnlyCostCapped_IgnoresTokens()
    {
        // Act
        var (_, decision) = BudgetLedger.Apply(Budget(maxTokens: null), new BudgetOperation.Reserve("a", 1m, 10_000_000));

        // Assert
        decision.Admitted.ShouldBeTrue();
        decision.RemainingTokens.ShouldBeNull();
    }

    [Fact]
    public void Apply_SetLimit_RaisesCapForLaterReservations()
    {
        // Arrange
        var state = Apply(Budget(), new BudgetOperation.Reserve("a", 8m, 1));
        var (_, refused) = BudgetLedger.Apply(state, new BudgetOperation.Reserve("b", 5m, 1));

        // Act
        var (next, _) = BudgetLedger.Apply(state, new BudgetOperation.SetLimit(new BudgetLimit(20m, null)));
        var (_, admitted) = BudgetLedger.Apply(next, new BudgetOperation.Reserve("b", 5m, 1));

        // Assert
        refused.Admitted.ShouldBeFalse();
        admitted.Admitted.ShouldBeTrue();
        admitted.RemainingUsd.ShouldBe(7m);
    }

    [Fact]
    public void Apply_ReserveKeysDifferingOnlyInCase_AreDistinct()
    {
        // Act
        var state = Apply(Budget(), new BudgetOperation.Reserve("Run-1", 1m, 1), new BudgetOperation.Reserve("run-1", 1m, 1));

        // Assert
        state.Reservations.Count.ShouldBe(2);
    }

    [Fact]
    public void Apply_UnknownOperation_Throws()
    {
        // Act + Assert
        Should.Throw<ArgumentOutOfRangeException>(() => BudgetLedger.Apply(Budget(), new UnknownOperation()));
    }

    private sealed record UnknownOperation : BudgetOperation;
}
