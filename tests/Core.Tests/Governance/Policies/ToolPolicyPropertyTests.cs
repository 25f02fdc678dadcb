using FsCheck;
using FsCheck.Fluent;
using Shouldly;
using Warden.Core.Governance.Policies;
using Xunit;

namespace Warden.Core.Tests.Governance.Policies;

/// <summary>Invariants of the tool policy evaluator over random rule sets.</summary>
public class ToolPolicyPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(500);
    private static readonly string[] Tools = ["crm.update", "crm.contacts.delete", "web.search", "email.send", "files.read"];

    private static Gen<ToolRule> Rules { get; } =
        from tool in Gen.Elements("*", "crm.*", "crm.contacts.*", "crm.update", "web.search", "*.send", "email.*", "files.read")
        from actionClass in Gen.Elements<ActionClass?>(null, ActionClass.Read, ActionClass.Write, ActionClass.External)
        from effect in Gen.Elements(Enum.GetValues<ToolEffect>())
        select new ToolRule(tool, actionClass, effect);

    private static Arbitrary<(ToolRule[] Tenant, ToolRule[] Graph, string Tool, ActionClass Class, RunMode Mode)> Cases { get; } =
        (from tenant in Rules.ArrayOf()
         from graph in Rules.ArrayOf()
         from tool in Gen.Elements(Tools)
         from actionClass in Gen.Elements(Enum.GetValues<ActionClass>())
         from mode in Gen.Elements(Enum.GetValues<RunMode>())
         select (tenant, graph, tool, actionClass, mode)).ToArbitrary();

    [Fact]
    public void Evaluate_ShadowOrReplayWithSideEffects_NeverPerforms()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Cases, c =>
        {
            var decision = ToolPolicyEvaluator.Evaluate(new ToolPolicySet(c.Tenant, c.Graph), c.Tool, c.Class, c.Mode);
            if (c.Mode != RunMode.Normal && c.Class != ActionClass.Read)
            {
                decision.Verdict.ShouldBeOneOf(ToolVerdict.Simulate, ToolVerdict.Deny);
            }
        }).Check(Config);
    }

    [Fact]
    public void Evaluate_AnyGraphRules_NeverLooserThanTenantAlone()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Cases, c =>
        {
            var tenantOnly = ToolPolicyEvaluator.Evaluate(new ToolPolicySet(c.Tenant, []), c.Tool, c.Class, RunMode.Normal);
            var both = ToolPolicyEvaluator.Evaluate(new ToolPolicySet(c.Tenant, c.Graph), c.Tool, c.Class, RunMode.Normal);
            if (tenantOnly.Scope == PolicyScope.Tenant)
            {
                ((int)both.Effect).ShouldBeGreaterThanOrEqualTo((int)tenantOnly.Effect);
            }
        }).Check(Config);
    }

    [Fact]
    public void Evaluate_RuleOrder_DoesNotMatter()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Cases, c =>
        {
            var forward = ToolPolicyEvaluator.Evaluate(new ToolPolicySet(c.Tenant, c.Graph), c.Tool, c.Class, c.Mode);
            var reversed = ToolPolicyEvaluator.Evaluate(new ToolPolicySet([.. c.Tenant.Reverse()], [.. c.Graph.Reverse()]), c.Tool, c.Class, c.Mode);
            reversed.Verdict.ShouldBe(forward.Verdict);
            reversed.Effect.ShouldBe(forward.Effect);
        }).Check(Config);
    }

    [Fact]
    public void Evaluate_ExactDenyForTheTool_AlwaysDenied()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Cases, c =>
        {
            var tenant = c.Tenant.Append(new ToolRule(c.Tool, c.Class, ToolEffect.Deny)).ToArray();
            ToolPolicyEvaluator.Evaluate(new ToolPolicySet(tenant, c.Graph), c.Tool, c.Class, c.Mode).Verdict.ShouldBe(ToolVerdict.Deny);
        }).Check(Config);
    }
}
