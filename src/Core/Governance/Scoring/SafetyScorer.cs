using Warden.Core.Governance.Pii;
using Warden.Core.Governance.Policies;

namespace Warden.Core.Governance.Scoring;

/// <summary>
/// Scores a step's output from 100 down:
/// <list type="bullet">
/// <item>PII, per finding: secret 35, payment card 30, national id 30, IBAN 25, phone 10, email 8; a quarter of that
/// when the output was redacted (the model still produced it); at most 60 in all.</item>
/// <item>Injection: the 0..1 score × 50, rounded.</item>
/// <item>Tool calls: 20 per denied call (the step tried something its policy forbids), 5 per call held for approval;
/// at most 40 in all.</item>
/// </list>
/// The result is clamped to 0..100. Integer arithmetic on rounded parts keeps the score identical across platforms.
/// </summary>
public static class SafetyScorer
{
    public const int MaxPiiPenalty = 60;
    public const int MaxToolPenalty = 40;

    public static SafetyScore Score(SafetyInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var penalties = new List<ScorePenalty>();

        var pii = inputs.PiiFindings
            .GroupBy(f => f.Kind)
            .OrderBy(g => g.Key)
            .Select(g => new ScorePenalty($"pii:{PiiKinds.WireName(g.Key)}", g.Count() * PiiPoints(g.Key, inputs.PiiRedacted)));
        penalties.AddRange(Capped(pii, MaxPiiPenalty));

        var injection = (int)Math.Round(Math.Clamp(inputs.InjectionScore, 0, 1) * 50, MidpointRounding.AwayFromZero);
        if (injection > 0)
        {
            penalties.Add(new ScorePenalty("injection", injection));
        }

        var tools = inputs.ToolVerdicts
            .Where(v => v is ToolVerdict.Deny or ToolVerdict.RequireApproval)
            .GroupBy(v => v)
            .OrderByDescending(g => g.Key)
            .Select(g => new ScorePenalty(g.Key == ToolVerdict.Deny ? "tool:deny" : "tool:require_approval", g.Count() * (g.Key == ToolVerdict.Deny ? 20 : 5)));
        penalties.AddRange(Capped(tools, MaxToolPenalty));

        return new SafetyScore(Math.Clamp(100 - penalties.Sum(p => p.Points), 0, 100), penalties);
    }

    private static int PiiPoints(PiiKind kind, bool redacted)
    {
        var points = kind switch
        {
            PiiKind.Secret => 35,
            PiiKind.PaymentCard => 30,
            PiiKind.NationalId => 30,
            PiiKind.Iban => 25,
            PiiKind.Phone => 10,
            PiiKind.Email => 8,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown PII kind"),
        };
        return redacted ? (points + 3) / 4 : points;
    }

    /// <summary>Keeps penalties in order until the cap, trimming the one that crosses it.</summary>
    private static IEnumerable<ScorePenalty> Capped(IEnumerable<ScorePenalty> penalties, int cap)
    {
        var left = cap;
        foreach (var penalty in penalties)
        {
            if (left == 0)
            {
                yield break;
            }

            var points = Math.Min(left, penalty.Points);
            left -= points;
            yield return penalty with { Points = points };
        }
    }
}
