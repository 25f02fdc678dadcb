using System.Globalization;

namespace Warden.Core.Testing.Assertions;

/// <summary>What a <see cref="BudgetAssertion"/> limits.</summary>
public enum BudgetMeasure
{
    Tokens,
    CostUsd,
    DurationMs,
    ProviderCalls,
}

/// <summary>
/// <c>max_tokens</c>, <c>max_cost_usd</c>, <c>max_duration</c> (30s, 2m ...) and <c>max_provider_calls</c>: the run
/// stayed within. Provider calls are read from the timeline: every attempt that reached a provider (each
/// node.completed, plus the router's failed calls inside it, plus each failed attempt).
/// </summary>
public sealed record BudgetAssertion(string Kind, BudgetMeasure Measure, decimal Limit) : Assertion(Kind, null)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var actual = Measure switch
        {
            BudgetMeasure.Tokens => run.Totals.Tokens,
            BudgetMeasure.CostUsd => run.Totals.CostUsd,
            BudgetMeasure.DurationMs => run.Totals.DurationMs,
            _ => ProviderCalls(run),
        };
        var unit = Measure switch
        {
            BudgetMeasure.Tokens => " tokens",
            BudgetMeasure.CostUsd => " USD",
            BudgetMeasure.DurationMs => " ms",
            _ => " provider calls",
        };
        return Result(actual <= Limit, string.Create(CultureInfo.InvariantCulture, $"≤ {Limit}{unit}"), string.Create(CultureInfo.InvariantCulture, $"{actual}{unit}"));
    }

    public static long ProviderCalls(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        long calls = 0;
        foreach (var e in run.Timeline)
        {
            if (e.Type == "node.completed" && e.Get("provider").Length > 0)
            {
                calls += 1 + (long.TryParse(e.Get("failed_calls"), NumberStyles.None, CultureInfo.InvariantCulture, out var failed) ? failed : 0);
            }
            else if (e.Type == "node.failed")
            {
                calls++;
            }
        }

        return calls;
    }
}
