namespace Warden.Core.Runs.Replay;

/// <summary>The names a replayed run's steps carry, shared by the executor that answers them and the decider that logs them.</summary>
public static class ReplayCodes
{
    /// <summary>The provider of a step answered from a recording.</summary>
    public const string Provider = "replay";

    /// <summary>The error code of a step that found no recorded response under <c>on_miss: fail</c>.</summary>
    public const string Miss = "REPLAY_MISS";

    /// <summary>The timeline entry of such a step (not a governance block: nothing was blocked, a recording was missing).</summary>
    public const string MissedEvent = "replay.missed";
}
