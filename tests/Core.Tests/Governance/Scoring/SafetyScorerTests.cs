using FsCheck;
using FsCheck.Fluent;
using Shouldly;
using Warden.Core.Governance.Pii;
using Warden.Core.Governance.Policies;
using Warden.Core.Governance.Scoring;
using Xunit;

namespace Warden.Core.Tests.Governance.Scoring;

public class SafetyScorerTests
{
    private static PiiFinding Finding(PiiKind kind) => new(kind, 0, 1, "test");

    [Fact]
    public void Score_NothingFound_Hundred()
    {
        // Act
        var score = SafetyScorer.Score(SafetyInputs.Clean);

        // Assert
        score.Value.ShouldBe(100);
        score.Penalties.ShouldBeEmpty();
    }

    [Fact]
    public void Score_MixedFindings_DeductsPerCheckWithSources()
    {
        // Arrange: an email and a phone (8 + 10), injection 0.3 (15), one denied call (20).
        var inputs = new SafetyInputs([Finding(PiiKind.Email), Finding(PiiKind.Phone)], false, 0.3, [ToolVerdict.Deny, ToolVerdict.Allow]);

        // Act
        var score = SafetyScorer.Score(inputs);

        // Assert
        score.Value.ShouldBe(100 - 8 - 10 - 15 - 20);
        score.Penalties.ShouldBe([new("pii:email", 8), new("pii:phone", 10), new("injection", 15), new("tool:deny", 20)]);
    }

    [Fact]
    public void Score_RedactedSecret_QuarterPenalty()
    {
        // Act
        var score = SafetyScorer.Score(new SafetyInputs([Finding(PiiKind.Secret)], true, 0, []));

        // Assert
        score.Value.ShouldBe(91);
    }

    [Fact]
    public void Score_ManySecrets_PiiPenaltyCapped()
    {
        // Act
        var score = SafetyScorer.Score(new SafetyInputs([.. Enumerable.Repeat(Finding(PiiKind.Secret), 10)], false, 0, []));

        // Assert
        score.Value.ShouldBe(100 - SafetyScorer.MaxPiiPenalty);
    }

    [Fact]
    public void Score_Everything_ClampedAtZero()
    {
        // Act
        var score = SafetyScorer.Score(new SafetyInputs([.. Enumerable.Repeat(Finding(PiiKind.PaymentCard), 5)], false, 1, [.. Enumerable.Repeat(ToolVerdict.Deny, 5)]));

        // Assert
        score.Value.ShouldBe(0);
    }

    [Fact]
    public void Score_AddingAFinding_NeverRaisesTheScore()
    {
        // Arrange
        var kinds = Gen.Elements(Enum.GetValues<PiiKind>());
        var inputs =
            (from pii in kinds.Select(Finding).ArrayOf()
             from redacted in Gen.Elements(true, false)
             from injection in Gen.Choose(0, 100).Select(i => i / 100.0)
             from tools in Gen.Elements(Enum.GetValues<ToolVerdict>()).ArrayOf()
             from extra in kinds
             select (new SafetyInputs(pii, redacted, injection, tools), extra)).ToArbitrary();

        // Act + Assert
        Prop.ForAll(inputs, c =>
        {
            var before = SafetyScorer.Score(c.Item1).Value;
            var after = SafetyScorer.Score(c.Item1 with { PiiFindings = [.. c.Item1.PiiFindings, Finding(c.extra)] }).Value;
            before.ShouldBeInRange(0, 100);
            after.ShouldBeLessThanOrEqualTo(before);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }
}
