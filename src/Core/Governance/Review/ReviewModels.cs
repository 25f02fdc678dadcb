namespace Warden.Core.Governance.Review;

/// <summary>A source given to the reviewer. Outputs cite it as <c>[Id]</c>, so number sources "1", "2", ...</summary>
public sealed record ReviewSource(string Id, string? Url = null, string? Title = null);

public enum ReviewVerdict
{
    Pass,

    /// <summary>The executor can fix it: send the output back with the reasons.</summary>
    Revise,

    /// <summary>The output breaks policy: it must not go on.</summary>
    Block,
}

public static class ReviewReasonCodes
{
    public const string UnknownSource = "unknown_source";
    public const string UncitedClaim = "uncited_claim";
    public const string SensitivePii = "sensitive_pii";
}

/// <summary>One problem, located in the output (a sentence, a citation or a finding), described without quoting PII.</summary>
public sealed record ReviewReason(string Code, int Start, int Length, string Detail);

public sealed record ReviewResult(ReviewVerdict Verdict, IReadOnlyList<ReviewReason> Reasons);

/// <summary>
/// <see cref="MaxUncitedClaims"/>: uncited claims tolerated before asking for a revision (0: every claim cites).
/// <see cref="BlockOnSensitivePii"/>: block outputs carrying secrets, card numbers, national ids or IBANs.
/// </summary>
public sealed record ReviewOptions(int MaxUncitedClaims = 0, bool BlockOnSensitivePii = true)
{
    public static ReviewOptions Default { get; } = new();
}
