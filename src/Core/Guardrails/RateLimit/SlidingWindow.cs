namespace Warden.Core.Guardrails.RateLimit;

/// <summary>A limit of <see cref="Limit"/> permits per <see cref="Window"/>.</summary>
public sealed record RateLimitOptions(int Limit, TimeSpan Window)
{
    public static RateLimitOptions PerMinute(int limit) => new(limit, TimeSpan.FromMinutes(1));
}

/// <summary>
/// Sliding-window counter: the current fixed window's count plus the previous window's count weighted by how
/// much of it still overlaps the sliding window. Three numbers of state, no allocation per check; exact while
/// the previous window is empty (e.g. the first minute), a close estimate afterwards.
/// </summary>
public readonly record struct SlidingWindowState(long WindowStartTicks, int Current, int Previous)
{
    public static SlidingWindowState Empty => default;
}

/// <summary>The answer to one acquire, with what the X-RateLimit-* headers need.</summary>
public readonly record struct RateLimitDecision(bool Allowed, int Limit, int Remaining, DateTimeOffset ResetAt, TimeSpan RetryAfter);

public static class SlidingWindow
{
    public static (SlidingWindowState State, RateLimitDecision Decision) TryAcquire(SlidingWindowState state, DateTimeOffset now, RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var window = options.Window.Ticks;
        // A caller whose clock runs behind counts at the start of the newest window seen instead of wiping its counts.
        var nowTicks = Math.Max(now.UtcTicks, state.WindowStartTicks);
        var start = nowTicks - (nowTicks % window);
        var (current, previous) = (start - state.WindowStartTicks) switch
        {
            0 => (state.Current, state.Previous),
            var gap when gap == window => (0, state.Current),
            _ => (0, 0),
        };

        // In use: the previous window's count weighted by the share of it still inside the sliding window, plus this
        // window's count. Compared scaled by the window length, in integers, so that no rounding admits one too many
        // or refuses at the instant RetryAfter named.
        var previousWeight = (Int128)previous * (window - (nowTicks - start));
        var room = (Int128)(options.Limit - 1 - current) * window;
        var resetAt = new DateTimeOffset(start + window, TimeSpan.Zero);
        if (previousWeight > room)
        {
            var untilReset = TimeSpan.FromTicks(start + window - nowTicks);
            TimeSpan retry;
            if (current < options.Limit)
            {
                // Capacity returns as the previous window slides out, or at the latest when this one ends.
                retry = previous > 0 ? TimeSpan.FromTicks(SlidOutAfter(window, options.Limit - 1 - current, previous) - (nowTicks - start)) : untilReset;
                if (retry <= TimeSpan.Zero || retry > untilReset)
                {
                    retry = untilReset;
                }
            }
            else
            {
                // This window is full, and it still weighs fully when the next one starts: capacity returns only as
                // it slides out of the next window.
                retry = current > 0 ? untilReset + TimeSpan.FromTicks(SlidOutAfter(window, options.Limit - 1, current)) : untilReset;
            }

            return (new SlidingWindowState(start, current, previous), new RateLimitDecision(false, options.Limit, 0, resetAt, retry));
        }

        var remaining = (int)((room - previousWeight) / window);
        return (new SlidingWindowState(start, current + 1, previous), new RateLimitDecision(true, options.Limit, remaining, resetAt, TimeSpan.Zero));
    }

    /// <summary>
    /// Ticks into a window after which <paramref name="weight"/> permits counted in the previous one weigh at most
    /// <paramref name="room"/>: window × (1 − room / weight), rounded up.
    /// </summary>
    private static long SlidOutAfter(long window, int room, int weight) =>
        (long)((((Int128)window * (weight - room)) + weight - 1) / weight);
}
