using FsCheck;
using FsCheck.Fluent;
using Shouldly;
using Warden.Core.Guardrails.Budget;
using Xunit;

namespace Warden.Core.Tests.Guardrails.Budget;

public enum LedgerAction
{
    Reserve,
    Settle,
    Release,
}

/// <summary>
/// One ledger move on one of a few step keys. A settle spends <see cref="Percent"/> of that key's reservation
/// (never more), and is skipped when the key holds none.
/// </summary>
public sealed record LedgerStep(LedgerAction Action, int Key, int Cents, int Tokens, int Percent)
{
    public override string ToString() => Action switch
    {
        LedgerAction.Reserve => $"reserve k{Key} {Cents}c {Tokens}t",
        LedgerAction.Settle => $"settle k{Key} {Percent}%",
        _ => $"release k{Key}",
    };
}

/// <summary>Properties of the budget ledger over random reserve / settle / release sequences.</summary>
public class BudgetLedgerPropertyTests
{
    private const string Scope = "graph:research-to-code";
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300).WithEndSize(150);

    private static Arbitrary<(int CapCents, int CapTokens, LedgerStep[] Steps)> Scripts { get; } =
        (from capCents in Gen.Choose(0, 2_000)
         from capTokens in Gen.Choose(0, 20_000)
         from steps in (from action in Gen.Frequency(
                            (5, Gen.Constant(LedgerAction.Reserve)),
                            (3, Gen.Constant(LedgerAction.Settle)),
                            (1, Gen.Constant(LedgerAction.Release)))
                        from key in Gen.Choose(0, 5)
                        from cents in Gen.Choose(0, 600)
                        from tokens in Gen.Choose(0, 6_000)
                        from percent in Gen.Choose(0, 100)
                        select new LedgerStep(action, key, cents, tokens, percent)).ArrayOf()
         select (capCents, capTokens, steps)).ToArbitrary();

    private static BudgetOperation? ToOperation(BudgetState state, LedgerStep step)
    {
        var key = $"run-7/node-{step.Key}";
        switch (step.Action)
        {
            case LedgerAction.Reserve:
                return new BudgetOperation.Reserve(key, step.Cents / 100m, step.Tokens);
            case LedgerAction.Settle when state.Reservations.TryGetValue(key, out var held):
                return new BudgetOperation.Settle(key, Math.Round(held.CostUsd * step.Percent / 100m, 6, MidpointRounding.ToZero), held.Tokens * step.Percent / 100);
            case LedgerAction.Settle:
                return null;
            default:
                return new BudgetOperation.Release(key);
        }
    }

    [Fact]
    public void Apply_EverySettleWithinItsReservation_NeverPassesEitherCap()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Scripts, script =>
        {
            var state = BudgetState.For(Scope, new BudgetLimit(script.CapCents / 100m, script.CapTokens));
            foreach (var step in script.Steps)
            {
                if (ToOperation(state, step) is not { } operation)
                {
                    continue;
                }

                var (next, decision) = BudgetLedger.Apply(state, operation);
                if (!decision.Admitted)
                {
                    operation.ShouldBeOfType<BudgetOperation.Reserve>();
                    decision.Reason.ShouldNotBeNull().ShouldContain(Scope);
                    next.ShouldBe(state);
                }

                (next.SpentUsd + next.ReservedUsd).ShouldBeLessThanOrEqualTo(next.Limit.MaxCostUsd!.Value, step.ToString());
                (next.SpentTokens + next.ReservedTokens).ShouldBeLessThanOrEqualTo(next.Limit.MaxTokens!.Value, step.ToString());
                decision.RemainingUsd.ShouldBe(next.RemainingUsd);
                decision.RemainingTokens.ShouldBe(next.RemainingTokens);
                state = next;
            }
        }).Check(Config);
    }

    [Fact]
    public void Apply_EveryOperationDeliveredTwice_ReservesAndReleasesOnce()
    {
        // Arrange: settles are left out: the ledger does not remember settled keys, so a redelivered settle counts twice.
        Prop.ForAll(Scripts, script =>
        {
            var once = BudgetState.For(Scope, new BudgetLimit(script.CapCents / 100m, script.CapTokens));
            var twice = once;
            foreach (var step in script.Steps.Where(s => s.Action != LedgerAction.Settle))
            {
                var operation = ToOperation(once, step)!;

                // Act
                var (afterOnce, decisionOnce) = BudgetLedger.Apply(once, operation);
                var (afterFirst, _) = BudgetLedger.Apply(twice, operation);
                var (afterTwice, decisionTwice) = BudgetLedger.Apply(afterFirst, operation);

                // Assert
                afterTwice.Reservations.ShouldBe(afterOnce.Reservations, ignoreOrder: true);
                decisionTwice.RemainingUsd.ShouldBe(decisionOnce.RemainingUsd);
                decisionTwice.RemainingTokens.ShouldBe(decisionOnce.RemainingTokens);
                (once, twice) = (afterOnce, afterTwice);
            }
        }).Check(Config);
    }
}
