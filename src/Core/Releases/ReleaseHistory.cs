namespace Warden.Core.Releases;

/// <summary>One move of a channel: which snapshot it points at from then on, and where a rollback from it goes.</summary>
/// <param name="Previous">The snapshot a rollback from this entry moves the channel to; null when there is none.</param>
public sealed record ReleaseEntry(long Seq, string Channel, string SnapshotId, string Kind, string? Previous, string Actor, string? Reason, DateTimeOffset At);

/// <summary>Where a release or rollback moves a channel, and what the new entry records as its own rollback target.</summary>
public sealed record ChannelMove(string SnapshotId, string? Previous, string Kind);

/// <summary>
/// The rules of channels, as a function of a graph's release history (newest first): a release records the snapshot it
/// replaces, so a rollback goes back one release at a time, and rolling back twice goes back two releases (not back
/// and forth between the last two).
/// </summary>
public static class ReleaseHistory
{
    public const string Active = "active";
    public const string Candidate = "candidate";
    public const string ReleaseKind = "release";
    public const string RollbackKind = "rollback";

    public static readonly string[] Channels = [Active, Candidate];

    public static bool IsChannel(string channel) => Channels.Contains(channel, StringComparer.Ordinal);

    /// <summary>The snapshot a channel points at now, or null before its first release.</summary>
    public static string? Current(IReadOnlyList<ReleaseEntry> history, string channel) =>
        history.FirstOrDefault(e => e.Channel == channel)?.SnapshotId;

    /// <summary>Releasing <paramref name="snapshotId"/> to a channel; null when the channel already points at it.</summary>
    public static ChannelMove? Release(IReadOnlyList<ReleaseEntry> history, string channel, string snapshotId)
    {
        ArgumentNullException.ThrowIfNull(history);
        var current = Current(history, channel);
        return current == snapshotId ? null : new ChannelMove(snapshotId, current, ReleaseKind);
    }

    /// <summary>
    /// Rolling the active channel back: to <paramref name="to"/> when given, else to what the current release replaced.
    /// The new entry's own rollback target is the one the target had when it was last released, so a second rollback
    /// keeps going back. Null with a reason when there is nothing to roll back to.
    /// </summary>
    public static (ChannelMove? Move, string? Refusal) RollBack(IReadOnlyList<ReleaseEntry> history, string? to)
    {
        ArgumentNullException.ThrowIfNull(history);
        var current = history.FirstOrDefault(e => e.Channel == Active);
        if (current is null)
        {
            return (null, "the graph has no active release to roll back");
        }

        var target = to ?? current.Previous;
        if (target is null)
        {
            return (null, $"the active snapshot {current.SnapshotId} replaced nothing: there is no earlier release to roll back to");
        }

        if (target == current.SnapshotId)
        {
            return (null, $"{target} is already active");
        }

        var earlier = history.FirstOrDefault(e => e.Channel == Active && e.SnapshotId == target && e.Kind == ReleaseKind);
        return (new ChannelMove(target, earlier?.Previous, RollbackKind), null);
    }
}
