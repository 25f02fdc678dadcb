using Shouldly;
using Warden.Core.Graphs;
using Xunit;

namespace Warden.Core.Tests.Graphs;

public class EdgeConditionTests
{
    [Theory]
    [InlineData("status == failed", "status", ConditionOperator.Equals, "failed")]
    [InlineData("status != succeeded", "status", ConditionOperator.NotEquals, "succeeded")]
    [InlineData("output.verdict == pass", "output.verdict", ConditionOperator.Equals, "pass")]
    [InlineData("output contains 'LGTM'", "output", ConditionOperator.Contains, "LGTM")]
    [InlineData("output not contains \"needs work\"", "output", ConditionOperator.NotContains, "needs work")]
    [InlineData("  output.score   !=   0  ", "output.score", ConditionOperator.NotEquals, "0")]
    public void TryParse_ValidCondition_ReadsSubjectOperatorAndValue(string text, string subject, ConditionOperator op, string value)
    {
        // Act
        var ok = EdgeCondition.TryParse(text, out var condition, out var error);

        // Assert
        ok.ShouldBeTrue();
        error.ShouldBeNull();
        condition.ShouldBe(new EdgeCondition(subject, op, value, text.Trim()));
    }

    [Theory]
    [InlineData("output.verdict is pass", "cannot read condition")]
    [InlineData("verdict == pass", "cannot read condition")]
    [InlineData("", "cannot read condition")]
    [InlineData("status == maybe", "status can be 'succeeded' or 'failed', not 'maybe'")]
    [InlineData("status contains fail", "status supports only == and !=")]
    public void TryParse_InvalidCondition_ExplainsWhy(string text, string expectedError)
    {
        // Act
        var ok = EdgeCondition.TryParse(text, out var condition, out var error);

        // Assert
        ok.ShouldBeFalse();
        condition.ShouldBeNull();
        error!.ShouldContain(expectedError);
    }

    [Theory]
    [InlineData("status == failed", false, null, true)]
    [InlineData("status == failed", true, "x", false)]
    [InlineData("status == succeeded", true, "x", true)]
    [InlineData("status != succeeded", false, null, true)]
    [InlineData("output.verdict == pass", true, "VERDICT: pass\nall good", true)]
    [InlineData("output.verdict == pass", true, "VERDICT: revise", false)]
    [InlineData("output.verdict == PASS", true, "**Verdict:** pass", true)]
    [InlineData("output.verdict == pass", true, "{\"verdict\": \"pass\"}", true)]
    [InlineData("output.verdict == pass", false, "VERDICT: pass", false)]
    [InlineData("output.verdict != pass", true, "no verdict here", true)]
    [InlineData("output.verdict != pass", false, null, false)]
    [InlineData("output contains 'lgtm'", true, "Looks fine. LGTM!", true)]
    [InlineData("output not contains 'TODO'", true, "done; todo: nothing", false)]
    [InlineData("output == done", true, "  done \n", true)]
    public void Evaluate_Outcome_MatchesExpectation(string text, bool succeeded, string? output, bool expected)
    {
        // Arrange
        EdgeCondition.TryParse(text, out var condition, out _).ShouldBeTrue();

        // Act
        var result = condition!.Evaluate(succeeded, output);

        // Assert
        result.ShouldBe(expected);
    }

    [Theory]
    [InlineData("status == failed", true)]
    [InlineData("status != succeeded", true)]
    [InlineData("status == succeeded", false)]
    [InlineData("output.verdict != pass", false)]
    [InlineData("output not contains x", false)]
    public void MatchesFailure_Condition_TellsWhetherItRoutesFailures(string text, bool expected)
    {
        // Arrange
        EdgeCondition.TryParse(text, out var condition, out _).ShouldBeTrue();

        // Act + Assert
        condition!.MatchesFailure.ShouldBe(expected);
    }

    [Theory]
    [InlineData("{\"verdict\": \"pass\", \"score\": 3}", "score", "3")]
    [InlineData("{\"Verdict\": \"pass\"}", "verdict", "pass")]
    [InlineData("intro\n- Verdict = revise\n", "verdict", "revise")]
    [InlineData("## status: done", "status", "done")]
    [InlineData("{not json\nverdict: pass", "verdict", "pass")]
    [InlineData("nothing to see", "verdict", null)]
    [InlineData("", "verdict", null)]
    public void ExtractField_Output_FindsKey(string output, string key, string? expected)
    {
        // Act
        var value = EdgeCondition.ExtractField(output, key);

        // Assert
        value.ShouldBe(expected);
    }
}
