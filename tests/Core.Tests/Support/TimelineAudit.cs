using System.Globalization;
using Warden.Core.Runs;

namespace Warden.Core.Tests.Support;

/// <summary>
/// Reads a run's timeline per node and checks that every visit that started ends exactly once:
/// node.started (attempt 1) opens a visit; node.completed, node.failed with will_retry=false or
/// node.cancelled closes it. Approval visits open with approval.requested and close with a decision,
/// expiry or node.cancelled. A node.cancelled for a visit that never started (attempt 0) is allowed.
/// </summary>
internal static class TimelineAudit
{
    public static void Check(IReadOnlyList<TimelineEntry> timeline)
    {
        var open = new Dictionary<string, int>(StringComparer.Ordinal);
        var visits = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < timeline.Count; i++)
        {
            var e = timeline[i];
            if (e.NodeId is not { } id)
            {
                continue;
            }

            var isOpen = open.ContainsKey(id);
            switch (e.Type)
            {
                case "node.started" when e.Attempt == 1:
                case "approval.requested":
                    Require(!isOpen, i, e, "a new visit started before the previous one ended");
                    visits[id] = visits.GetValueOrDefault(id) + 1;
                    open[id] = visits[id];
                    if (e.Data?.GetValueOrDefault("visit") is { } visit)
                    {
                        Require(visit == visits[id].ToString(CultureInfo.InvariantCulture), i, e, $"visit {visit} but this is start number {visits[id]}");
                    }

                    break;
                case "node.started":
                case "node.timed_out":
                case "node.failed" when WillRetry(e):
                case "approval.escalated":
                    Require(isOpen, i, e, "work on a visit that is not open");
                    break;
                case "node.completed":
                case "node.failed":
                case "approval.approved":
                case "approval.rejected":
                case "approval.expired":
                    Require(isOpen, i, e, "a second terminal entry (or one without a start)");
                    open.Remove(id);
                    break;
                case "node.cancelled":
                    Require(isOpen || e.Attempt == 0, i, e, "cancelled a visit that had already ended");
                    open.Remove(id);
                    break;
            }
        }

        if (open.Count > 0)
        {
            throw new InvalidOperationException($"visits never ended: {string.Join(", ", open.Select(kv => $"{kv.Key} visit {kv.Value}"))}\n{Dump(timeline)}");
        }

        void Require(bool condition, int index, TimelineEntry entry, string problem)
        {
            if (!condition)
            {
                throw new InvalidOperationException($"timeline entry {index} ({entry.Type} {entry.NodeId} attempt {entry.Attempt}): {problem}\n{Dump(timeline)}");
            }
        }
    }

    private static bool WillRetry(TimelineEntry entry) =>
        entry.Data is { } data && data.GetValueOrDefault("will_retry") == "true";

    private static string Dump(IReadOnlyList<TimelineEntry> timeline) =>
        string.Join("\n", timeline.Select((e, i) => $"{i,3} {e.Type} {e.NodeId} a{e.Attempt} {(e.Data is null ? string.Empty : string.Join(",", e.Data.Select(kv => $"{kv.Key}={kv.Value}")))}"));
}
