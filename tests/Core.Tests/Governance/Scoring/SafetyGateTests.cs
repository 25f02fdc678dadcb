using Shouldly;
using Warden.Core.Governance.Scoring;
using Xunit;

namespace Warden.Core.Tests.Governance.Scoring;

public class SafetyGateTests
{
    /// <summary>GOVERNANCE_DEFAULT_MIN_SCORE=70: pass from 70, escalate from 69 down to 40, stop below 40.</summary>
    [Theory]
    [InlineData(100, SafetyOutcome.Pass)]
    [InlineData(70, SafetyOutcome.Pass)]
    [InlineData(69, SafetyOutcome.Escalate)]
    [InlineData(40, SafetyOutcome.Escalate)]
    [InlineData(39, SafetyOutcome.Stop)]
    [InlineData(0, SafetyOutcome.Stop)]
    public void Decide_ScoreAgainstDefaultMinimum_PassEscalateOrStop(int value, SafetyOutcome expected)
    {
        // Arrange
        var thresholds = SafetyThresholds.FromMinimum(70);

        // Act
        var decision = SafetyGate.Decide(new SafetyScore(value, []), thresholds);

        // Assert
        decision.Outcome.ShouldBe(expected, decision.Reason);
    }

    [Fact]
    public void FromMinimum_LowMinimum_StopThresholdNotNegative()
    {
        // Act + Assert
        SafetyThresholds.FromMinimum(20).ShouldBe(new SafetyThresholds(20, 0));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void FromMinimum_OutOfRange_Throws(int minimum)
    {
        // Act + Assert
        Should.Throw<ArgumentOutOfRangeException>(() => SafetyThresholds.FromMinimum(minimum));
    }

    [Fact]
    public void Evaluate_LeakedCardInOutput_Escalates()
    {
        // Arrange: an unredacted card number costs 30 points: 70 is still a pass; a second one is not.
        var oneCard = new SafetyInputs([new(Warden.Core.Governance.Pii.PiiKind.PaymentCard, 0, 16, "payment_card")], false, 0, []);
        var twoCards = oneCard with { PiiFindings = [.. oneCard.PiiFindings, .. oneCard.PiiFindings] };

        // Act + Assert
        SafetyGate.Evaluate(oneCard, SafetyThresholds.FromMinimum(70)).Outcome.ShouldBe(SafetyOutcome.Pass);
        SafetyGate.Evaluate(twoCards, SafetyThresholds.FromMinimum(70)).Outcome.ShouldBe(SafetyOutcome.Escalate);
    }
}
