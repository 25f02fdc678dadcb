using Warden.Core.Graphs;

namespace Warden.Core.Runs;

/// <summary>Exponential backoff with equal jitter drawn from the run seed: half the delay is fixed, half is jitter.</summary>
public static class Backoff
{
    /// <param name="failedAttempt">The attempt that just failed (1 for the first).</param>
    public static TimeSpan Delay(RetryPolicy policy, long seed, string nodeId, int visit, int failedAttempt)
    {
        var exponent = Math.Max(0, failedAttempt - 1);
        var raw = policy.InitialBackoff.TotalMilliseconds * Math.Pow(policy.Multiplier, exponent);
        var capped = Math.Min(raw, policy.MaxBackoff.TotalMilliseconds);
        var u = StableHash.Unit(seed, nodeId, visit, failedAttempt, "backoff");
        return TimeSpan.FromMilliseconds(Math.Round((capped / 2) + (u * capped / 2)));
    }
}
