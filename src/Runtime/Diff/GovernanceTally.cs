namespace Warden.Runtime.Diff;

/// <summary>
/// A run's governance decisions counted from its timeline, one key per kind: <c>redaction.email</c>,
/// <c>blocked.PII_BLOCKED</c>, <c>policy.denied</c>, <c>approval.requested</c> / <c>.approved</c> / <c>.rejected</c> /
/// <c>.expired</c> / <c>.escalated</c>, <c>budget.exceeded</c>, <c>contract.violated</c> (attempts that broke their node's contract).
/// </summary>
public static class GovernanceTally
{
    public static SortedDictionary<string, int> Count(IEnumerable<TraceEvent> events)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            switch (e.Type)
            {
                case "governance.redacted":
                    foreach (var redaction in Redactions(e))
                    {
                        Add(counts, "redaction." + redaction.Kind);
                    }

                    break;
                case "governance.blocked":
                    Add(counts, "blocked." + e.Get("code"));
                    break;
                case "node.failed" when e.Get("error_code") == Core.Contracts.NodeContract.ViolatedCode:
                    Add(counts, "contract.violated");
                    break;
                case "policy.denied" or "budget.exceeded" or "approval.requested" or "approval.approved" or "approval.rejected" or "approval.expired" or "approval.escalated":
                    Add(counts, e.Type);
                    break;
            }
        }

        return counts;
    }

    /// <summary>The redactions of one governance.redacted row, whose <c>kinds</c> reads <c>email@input:10+17, phone@input:40+12</c>.</summary>
    public static IEnumerable<RedactionItem> Redactions(TraceEvent e)
    {
        foreach (var part in e.Get("kinds").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = part.IndexOf('@', StringComparison.Ordinal);
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            var plus = part.IndexOf('+', StringComparison.Ordinal);
            if (at <= 0 || colon < at || plus < colon)
            {
                yield return new RedactionItem(e.NodeId, e.Attempt, e.At, part, null, null, null);
                continue;
            }

            yield return new RedactionItem(
                e.NodeId,
                e.Attempt,
                e.At,
                part[..at],
                part[(at + 1)..colon],
                int.TryParse(part[(colon + 1)..plus], System.Globalization.CultureInfo.InvariantCulture, out var start) ? start : null,
                int.TryParse(part[(plus + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var length) ? length : null);
        }
    }

    private static void Add(SortedDictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}

/// <summary>One redaction: where it was made, of what kind, and its position (never its value).</summary>
public sealed record RedactionItem(string? NodeId, long? Attempt, string At, string Kind, string? Direction, int? Start, int? Length);
