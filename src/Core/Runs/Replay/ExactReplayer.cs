using System.Globalization;

namespace Warden.Core.Runs.Replay;

/// <summary>
/// Proves a run's history still decides the same way: re-drives <see cref="RunDecider"/> over the run's recorded
/// start and input events, each at its recorded time, and compares what comes out (the timeline every decision wrote,
/// then the run's final status) with what was recorded. The first entry that differs is reported, with the input
/// event that produced it, the way a workflow replayer reports non-determinism.
/// </summary>
public static class ExactReplayer
{
    public static ExactReplayReport Replay(RunDecider decider, RunStart start, DateTimeOffset startedAt, IReadOnlyList<RecordedEvent> events, IReadOnlyList<TimelineEntry> recorded, RunStatus? recordedStatus = null)
    {
        ArgumentNullException.ThrowIfNull(decider);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(recorded);
        var produced = new List<(int EventIndex, TimelineEntry Entry)>();
        var drive = Drive(decider, start, startedAt, events, (index, decision) =>
            produced.AddRange(decision.Commands.OfType<AppendTimeline>().SelectMany(t => t.Entries).Select(e => (index, e))));
        if (drive.Rejected is { } rejected)
        {
            var at = produced.FindIndex(p => p.EventIndex >= rejected.EventIndex);
            return new ExactReplayReport(false, events.Count, drive.Decisions, new ReplayDivergence(
                rejected.EventIndex, at < 0 ? produced.Count : at, "the event is applied", $"the decider rejects it: {rejected.Rejection.Code}: {rejected.Rejection.Message}"), drive.State);
        }

        for (var k = 0; k < Math.Max(produced.Count, recorded.Count); k++)
        {
            var expected = k < recorded.Count ? Describe(recorded[k]) : "(no entry)";
            var actual = k < produced.Count ? Describe(produced[k].Entry) : "(no entry)";
            if (!string.Equals(expected, actual, StringComparison.Ordinal))
            {
                var eventIndex = k < produced.Count ? produced[k].EventIndex : events.Count;
                return new ExactReplayReport(false, events.Count, drive.Decisions, new ReplayDivergence(eventIndex, k, expected, actual), drive.State);
            }
        }

        if (recordedStatus is { } status && status != drive.State.Status)
        {
            return new ExactReplayReport(false, events.Count, drive.Decisions, new ReplayDivergence(
                events.Count, produced.Count, $"status {Name(status)}", $"status {Name(drive.State.Status)}"), drive.State);
        }

        return new ExactReplayReport(true, events.Count, drive.Decisions, null, drive.State);
    }

    /// <summary>Applies the start (index 0) and each event (index i + 1) in order, handing every decision to <paramref name="onDecision"/>.</summary>
    internal static DriveResult Drive(RunDecider decider, RunStart start, DateTimeOffset startedAt, IReadOnlyList<RecordedEvent> events, Action<int, Decision> onDecision)
    {
        var decision = decider.Start(start, new RunContext(startedAt));
        onDecision(0, decision);
        var state = decision.State;
        for (var i = 0; i < events.Count; i++)
        {
            decision = decider.Apply(state, events[i].Event, new RunContext(events[i].At));
            if (decision.Rejected)
            {
                return new DriveResult(state, i + 1, (i + 1, decision.Rejection!));
            }

            onDecision(i + 1, decision);
            state = decision.State;
        }

        return new DriveResult(state, events.Count + 1, null);
    }

    /// <summary>One timeline entry as text: time, type, node, attempt and its data in key order.</summary>
    public static string Describe(TimelineEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var data = entry.Data is null ? string.Empty : string.Join(", ", entry.Data.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
        var attempt = entry.Attempt?.ToString(CultureInfo.InvariantCulture) ?? "-";
        return $"{entry.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)} {entry.Type} node={entry.NodeId ?? "-"} attempt={attempt} {{{data}}}";
    }

    private static string Name(RunStatus status) => status.ToString().ToLowerInvariant();

    internal sealed record DriveResult(RunState State, int Decisions, (int EventIndex, DecisionRejection Rejection)? Rejected);
}

/// <summary>What an exact replay found.</summary>
/// <param name="Events">Recorded input events after the start.</param>
/// <param name="Decisions">Decisions re-driven: the start and each event applied.</param>
/// <param name="FinalState">The state the replay ended in (not serialized in API answers).</param>
public sealed record ExactReplayReport(bool Identical, int Events, int Decisions, ReplayDivergence? FirstDivergence, [property: System.Text.Json.Serialization.JsonIgnore] RunState FinalState);

/// <param name="EventIndex">The input that produced the differing entry: 0 is the run's start, i is the i-th recorded event.</param>
/// <param name="TimelineIndex">The entry's position in the run's timeline (0-based).</param>
public sealed record ReplayDivergence(int EventIndex, int TimelineIndex, string Expected, string Actual);
