namespace Warden.Core.Governance.Scoring;

public enum SafetyOutcome
{
    Pass,

    /// <summary>Below the minimum but not far: hold the run for a person to decide.</summary>
    Escalate,

    /// <summary>Far below the minimum: stop the run.</summary>
    Stop,
}

/// <summary>
/// A graph's thresholds. At or above <see cref="MinScore"/> a step passes; below <see cref="StopBelow"/> the run
/// stops; in between it escalates. <see cref="FromMinimum"/> builds them from GOVERNANCE_DEFAULT_MIN_SCORE (or the
/// graph's own minimum) with a 30-point escalation band: 70 → escalate from 69 to 40, stop under 40.
/// </summary>
public sealed record SafetyThresholds(int MinScore, int StopBelow)
{
    public const int EscalationBand = 30;

    public static SafetyThresholds FromMinimum(int minScore)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minScore);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minScore, 100);
        return new SafetyThresholds(minScore, Math.Max(0, minScore - EscalationBand));
    }
}

public sealed record SafetyDecision(SafetyOutcome Outcome, SafetyScore Score, string Reason);

public static class SafetyGate
{
    public static SafetyDecision Decide(SafetyScore score, SafetyThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(thresholds);
        var outcome = score.Value switch
        {
            var v when v >= thresholds.MinScore => SafetyOutcome.Pass,
            var v when v < thresholds.StopBelow => SafetyOutcome.Stop,
            _ => SafetyOutcome.Escalate,
        };
        var reason = outcome switch
        {
            SafetyOutcome.Pass => $"score {score.Value} meets the minimum {thresholds.MinScore}",
            SafetyOutcome.Stop => $"score {score.Value} is below {thresholds.StopBelow}: stop",
            _ => $"score {score.Value} is below the minimum {thresholds.MinScore}: escalate",
        };
        return new SafetyDecision(outcome, score, reason);
    }

    /// <summary>Score and decide in one call.</summary>
    public static SafetyDecision Evaluate(SafetyInputs inputs, SafetyThresholds thresholds) =>
        Decide(SafetyScorer.Score(inputs), thresholds);
}
