using Shouldly;
using Warden.Core.Governance.Policies;
using Xunit;

namespace Warden.Core.Tests.Governance.Policies;

public class ToolPolicyEvaluatorTests
{
    private static readonly ToolPolicySet Tenant = new(
        [
            new ToolRule("*", ActionClass.Write, ToolEffect.RequireApproval),
            new ToolRule("*", ActionClass.External, ToolEffect.RequireApproval),
            new ToolRule("web.search", null, ToolEffect.Allow),
            new ToolRule("crm.*", null, ToolEffect.Allow),
            new ToolRule("crm.contacts.*", ActionClass.Write, ToolEffect.Deny),
            new ToolRule("payments.*", null, ToolEffect.Deny),
            new ToolRule("payments.refund", null, ToolEffect.RequireApproval),
            new ToolRule("files.read", null, ToolEffect.Allow),
            new ToolRule("files.read", null, ToolEffect.Deny),
        ],
        []);

    /// <summary>The rule table: the most specific rule wins, ties go to the stricter effect, no match falls back by class.</summary>
    [Theory]
    [InlineData("web.search", ActionClass.External, ToolVerdict.Allow, "web.search")]
    [InlineData("crm.accounts.update", ActionClass.Write, ToolVerdict.Allow, "crm.*")]
    [InlineData("crm.contacts.delete", ActionClass.Write, ToolVerdict.Deny, "crm.contacts.*")]
    [InlineData("crm.contacts.list", ActionClass.Read, ToolVerdict.Allow, "crm.*")]
    [InlineData("payments.charge", ActionClass.Write, ToolVerdict.Deny, "payments.*")]
    [InlineData("payments.refund", ActionClass.Write, ToolVerdict.RequireApproval, "payments.refund")]
    [InlineData("PAYMENTS.Refund", ActionClass.Write, ToolVerdict.RequireApproval, "payments.refund")]
    [InlineData("files.read", ActionClass.Read, ToolVerdict.Deny, "files.read")]
    [InlineData("email.send", ActionClass.External, ToolVerdict.RequireApproval, "*")]
    [InlineData("db.query", ActionClass.Read, ToolVerdict.Allow, null)]
    public void Evaluate_NormalRun_MostSpecificRuleDecides(string tool, ActionClass actionClass, ToolVerdict expected, string? rule)
    {
        // Act
        var decision = ToolPolicyEvaluator.Evaluate(Tenant, tool, actionClass, RunMode.Normal);

        // Assert
        decision.Verdict.ShouldBe(expected, decision.Reason);
        decision.Rule?.Tool.ShouldBe(rule);
        decision.Scope.ShouldBe(rule is null ? PolicyScope.Fallback : PolicyScope.Tenant);
    }

    [Theory]
    [InlineData(ActionClass.Read, ToolVerdict.Allow)]
    [InlineData(ActionClass.Write, ToolVerdict.RequireApproval)]
    [InlineData(ActionClass.External, ToolVerdict.RequireApproval)]
    public void Evaluate_NoRules_FallbackByActionClass(ActionClass actionClass, ToolVerdict expected)
    {
        // Act
        var decision = ToolPolicyEvaluator.Evaluate(ToolPolicySet.Empty, "anything", actionClass, RunMode.Normal);

        // Assert
        decision.Verdict.ShouldBe(expected);
        decision.Scope.ShouldBe(PolicyScope.Fallback);
        decision.Rule.ShouldBeNull();
    }

    [Fact]
    public void Evaluate_ActionClassRuleAgainstAnyClassRuleSamePattern_ClassRuleWins()
    {
        // Arrange
        var policies = new ToolPolicySet([new ToolRule("docs.*", null, ToolEffect.Deny), new ToolRule("docs.*", ActionClass.Read, ToolEffect.Allow)], []);

        // Act + Assert
        ToolPolicyEvaluator.Evaluate(policies, "docs.get", ActionClass.Read, RunMode.Normal).Verdict.ShouldBe(ToolVerdict.Allow);
        ToolPolicyEvaluator.Evaluate(policies, "docs.put", ActionClass.Write, RunMode.Normal).Verdict.ShouldBe(ToolVerdict.Deny);
    }

    [Fact]
    public void Evaluate_GraphAllowsWhatTenantDenies_TenantDenyStands()
    {
        // Arrange
        var policies = new ToolPolicySet([new ToolRule("shell.exec", null, ToolEffect.Deny)], [new ToolRule("shell.exec", null, ToolEffect.Allow)]);

        // Act
        var decision = ToolPolicyEvaluator.Evaluate(policies, "shell.exec", ActionClass.Write, RunMode.Normal);

        // Assert
        decision.Verdict.ShouldBe(ToolVerdict.Deny);
        decision.Scope.ShouldBe(PolicyScope.Tenant);
    }

    [Fact]
    public void Evaluate_GraphTightensTenantAllow_GraphDecides()
    {
        // Arrange
        var policies = new ToolPolicySet([new ToolRule("crm.*", null, ToolEffect.Allow)], [new ToolRule("*", ActionClass.Write, ToolEffect.RequireApproval)]);

        // Act
        var decision = ToolPolicyEvaluator.Evaluate(policies, "crm.update", ActionClass.Write, RunMode.Normal);

        // Assert
        decision.Verdict.ShouldBe(ToolVerdict.RequireApproval);
        decision.Scope.ShouldBe(PolicyScope.Graph);
    }

    [Theory]
    [InlineData(RunMode.Shadow, ActionClass.Write, ToolVerdict.Simulate)]
    [InlineData(RunMode.Replay, ActionClass.Write, ToolVerdict.Simulate)]
    [InlineData(RunMode.Shadow, ActionClass.External, ToolVerdict.Simulate)]
    [InlineData(RunMode.Shadow, ActionClass.Read, ToolVerdict.Allow)]
    [InlineData(RunMode.Normal, ActionClass.Write, ToolVerdict.Allow)]
    public void Evaluate_AllowedToolByRunMode_SideEffectsSimulatedOutsideNormalRuns(RunMode mode, ActionClass actionClass, ToolVerdict expected)
    {
        // Arrange
        var policies = new ToolPolicySet([new ToolRule("*", null, ToolEffect.Allow)], []);

        // Act
        var decision = ToolPolicyEvaluator.Evaluate(policies, "crm.update", actionClass, mode);

        // Assert
        decision.Verdict.ShouldBe(expected);
        decision.Effect.ShouldBe(ToolEffect.Allow);
    }

    [Fact]
    public void Evaluate_ShadowRunWriteNeedingApproval_SimulatedAndSaysWhatProductionWouldDo()
    {
        // Act
        var decision = ToolPolicyEvaluator.Evaluate(ToolPolicySet.Empty, "tickets.close", ActionClass.Write, RunMode.Shadow);

        // Assert
        decision.Verdict.ShouldBe(ToolVerdict.Simulate);
        decision.Effect.ShouldBe(ToolEffect.RequireApproval);
        decision.Performs.ShouldBeFalse();
        decision.Reason.ShouldContain("simulated in shadow run");
    }

    [Fact]
    public void Evaluate_ShadowRunDeniedWrite_StillDenied()
    {
        // Act
        var decision = ToolPolicyEvaluator.Evaluate(Tenant, "payments.charge", ActionClass.Write, RunMode.Shadow);

        // Assert
        decision.Verdict.ShouldBe(ToolVerdict.Deny);
    }

    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("crm.*", "crm.update", true)]
    [InlineData("crm.*", "crm", false)]
    [InlineData("*.delete", "crm.contacts.delete", true)]
    [InlineData("crm.*.read", "crm.contacts.read", true)]
    [InlineData("crm.*.read", "crm.contacts.write", false)]
    [InlineData("Web.Search", "web.search", true)]
    [InlineData("web.search", "web.searches", false)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    public void Matches_Pattern_GlobSemantics(string pattern, string tool, bool expected)
    {
        // Act + Assert
        ToolPattern.Matches(pattern, tool).ShouldBe(expected);
    }
}
