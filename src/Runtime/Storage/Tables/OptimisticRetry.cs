namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// The retry loop of every read-modify-write on Table Storage: read with the ETag, write If-Match (or insert), and on a
/// lost race (409/412) wait a short random while and read again. Someone always wins a round, so the loop progresses;
/// the jitter keeps two instances from colliding in step.
/// </summary>
internal static class OptimisticRetry
{
    public const int MaxAttempts = 200;

    public static Task DelayAsync(int attempt, CancellationToken ct) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 2 + (4 << Math.Min(attempt, 4)))), ct);

    public static InvalidOperationException GaveUp(string what) =>
        new($"{what}: lost the race for the entity {MaxAttempts} times in a row; giving up");
}
