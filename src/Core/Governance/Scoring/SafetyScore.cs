using Warden.Core.Governance.Pii;
using Warden.Core.Governance.Policies;

namespace Warden.Core.Governance.Scoring;

/// <summary>
/// What the governance checks found for one step's output: PII findings (and whether they were redacted before
/// the output travelled on), the output's injection score, and the verdicts on the tool calls the step made.
/// </summary>
public sealed record SafetyInputs(IReadOnlyList<PiiFinding> PiiFindings, bool PiiRedacted, double InjectionScore, IReadOnlyList<ToolVerdict> ToolVerdicts)
{
    public static SafetyInputs Clean { get; } = new([], false, 0, []);
}

/// <summary>One deduction from 100, with the check that caused it (<c>pii:secret</c>, <c>injection</c>, <c>tool:deny</c>).</summary>
public sealed record ScorePenalty(string Source, int Points);

/// <summary>A step's governance score, 0 (unsafe) to 100 (nothing found), and why.</summary>
public sealed record SafetyScore(int Value, IReadOnlyList<ScorePenalty> Penalties);
