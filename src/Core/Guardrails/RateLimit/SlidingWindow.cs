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
        var nowTicks = now.UtcTicks;
        var start = nowTicks - (nowTicks % window);
        var (current, previous) = (start - state.WindowStartTicks) switch
        {
            0 => (state.Current, state.Previous),
            var gap when gap == window => (0, state.Current),
            _ => (0, 0),
        };

        var overlap = 1.0 - ((double)(nowTicks - start) / window);
        var used = (previous * overlap) + current;
        var resetAt = new DateTimeOffset(start + window, TimeSpan.Zero);
        if (used + 1 > options.Limit)
        {
            // Capacity returns as the previous window slides out, or at the latest when this one ends.
            var retry = previous > 0 && current < options.Limit
                ? TimeSpan.FromTicks((long)Math.Ceiling(window * (1.0 - ((options.Limit - 1 - current) / (double)previous)) - (nowTicks - start)))
                : resetAt - now;
            if (retry <= TimeSpan.Zero || retry > resetAt - now)
            {
                retry = resetAt - now;
            }

            return (new SlidingWindowState(start, current, previous), new RateLimitDecision(false, options.Limit, 0, resetAt, retry));
        }

        var remaining = Math.Max(0, (int)Math.Floor(options.Limit - used - 1));
        return (new SlidingWindowState(start, current + 1, previous), new RateLimitDecision(true, options.Limit, remaining, resetAt, TimeSpan.Zero));
    }
}
