namespace Warden.Cli.Tests.EndToEnd;

/// <summary>
/// The API's per-tenant limit is a sliding-window counter over whole UTC minutes: exact within one minute, an estimate
/// across two (the previous minute's count is weighted by its share still in the window, so a burst split by a minute
/// boundary can admit a few more than the limit). Tests that count exactly to the limit against real servers start
/// their burst where the rest of the minute can hold it.
/// </summary>
internal static class RateWindow
{
    public static async Task StartWithRoomAsync(TimeSpan needed)
    {
        var now = DateTimeOffset.UtcNow;
        var left = TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(now.UtcTicks % TimeSpan.TicksPerMinute);
        if (left < needed)
        {
            await Task.Delay(left + TimeSpan.FromMilliseconds(200));
        }
    }
}
