namespace Warden.Core.Governance.Injection;

public enum InjectionAction
{
    Allow,
    Block,
    RequireApproval,
}

/// <summary>
/// A tenant's or graph's injection policy: at or above <see cref="Threshold"/> the step gets
/// <see cref="AboveThreshold"/> (block, or hold for a person's approval; Allow records the signals and lets it pass).
/// </summary>
public sealed record InjectionPolicy(double Threshold, InjectionAction AboveThreshold)
{
    public static InjectionPolicy Default { get; } = new(0.5, InjectionAction.Block);
}

public sealed record InjectionDecision(InjectionAction Action, InjectionAssessment Assessment)
{
    public bool MayProceed => Action == InjectionAction.Allow;
}

/// <summary>The runtime's entry point: assess a user input or a tool / retrieval result and decide under a policy.</summary>
public static class InjectionGate
{
    public static InjectionDecision Check(string text, ContentSource source, InjectionPolicy policy) =>
        Decide(InjectionDetector.Assess(text, source), policy);

    public static InjectionDecision Decide(InjectionAssessment assessment, InjectionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        ArgumentNullException.ThrowIfNull(policy);
        var action = assessment.Score >= policy.Threshold ? policy.AboveThreshold : InjectionAction.Allow;
        return new InjectionDecision(action, assessment);
    }
}
