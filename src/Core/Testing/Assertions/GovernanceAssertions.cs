using Warden.Core.Governance.Pii;

namespace Warden.Core.Testing.Assertions;

/// <summary><c>no_pii: true</c>: the run's (or a node's) output holds no personal data or secrets (<see cref="PiiDetector"/>).</summary>
public sealed record NoPiiAssertion(string? Node) : Assertion("no_pii", Node)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        var text = Subject(run) ?? string.Empty;
        var found = PiiDetector.Detect(text);
        return Result(found.Count == 0, "no personal data in the output", found.Count == 0 ? "none found" : string.Join(", ", found.Select(f => $"{f.Kind} at {f.Start}")));
    }
}

/// <summary>
/// <c>redacted: true|false</c> (a governance.redacted event) and <c>injection_blocked: true|false</c> (a
/// governance.blocked event with INJECTION_BLOCKED), read from the timeline.
/// </summary>
public sealed record GovernanceEventAssertion(string Kind, bool Expected, string? Node) : Assertion(Kind, Node)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var hits = run.Timeline.Where(e => (Node is null || e.NodeId == Node) && Kind switch
        {
            "redacted" => e.Type == "governance.redacted",
            _ => e.Type == "governance.blocked" && e.Get("code") == "INJECTION_BLOCKED",
        }).ToList();
        var what = Kind == "redacted" ? "a redaction" : "an injection block";
        return Result(
            hits.Count > 0 == Expected,
            Expected ? what : $"no {what[(what.IndexOf(' ', StringComparison.Ordinal) + 1)..]}",
            hits.Count == 0 ? "none" : string.Join(", ", hits.Select(h => $"{h.NodeId}: {(Kind == "redacted" ? h.Get("kinds") : h.Get("reason"))}")));
    }
}
