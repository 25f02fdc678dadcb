using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Warden.Core.Graphs;

/// <summary>Durations as people write them in graphs: 500ms, 30s, 5m, 2h, 1d, or combined (1h30m).</summary>
public static partial class Durations
{
    [GeneratedRegex(@"^(?:(\d+)(ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var match = Pattern().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        double ms = 0;
        for (var i = 0; i < match.Groups[1].Captures.Count; i++)
        {
            if (!long.TryParse(match.Groups[1].Captures[i].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            ms += match.Groups[2].Captures[i].Value switch
            {
                "ms" => n,
                "s" => n * 1_000d,
                "m" => n * 60_000d,
                "h" => n * 3_600_000d,
                _ => n * 86_400_000d,
            };
        }

        if (ms > TimeSpan.FromDays(365).TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        var rest = value;
        Append(ref rest, TimeSpan.FromDays(1), "d");
        Append(ref rest, TimeSpan.FromHours(1), "h");
        Append(ref rest, TimeSpan.FromMinutes(1), "m");
        Append(ref rest, TimeSpan.FromSeconds(1), "s");
        if (rest.TotalMilliseconds >= 1)
        {
            sb.Append((long)rest.TotalMilliseconds).Append("ms");
        }

        return sb.ToString();

        void Append(ref TimeSpan remaining, TimeSpan unit, string suffix)
        {
            var count = (long)(remaining.Ticks / unit.Ticks);
            if (count > 0)
            {
                sb.Append(count).Append(suffix);
                remaining -= TimeSpan.FromTicks(count * unit.Ticks);
            }
        }
    }
}
