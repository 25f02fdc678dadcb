using System.Globalization;

namespace Warden.Core.Runs.Chaos;

/// <summary>
/// The fields of a <c>chaos:</c> object, in the snake_case both the start-run body and a suite case use, with the
/// range each accepts. One list, so the API and the suite parser refuse the same things with the same words.
/// </summary>
public static class ChaosRules
{
    public const string RetryAfterKey = "retry_after";

    /// <summary>The most steps a crash may wait for; beyond it the crash would never come for any sane graph.</summary>
    public const int MaxCrashAfterSteps = 1_000;

    public static IReadOnlyList<ChaosField> Numbers { get; } =
    [
        new("provider_error_rate", 0, 1, Whole: false),
        new("rate_limit_rate", 0, 1, Whole: false),
        new("latency_ms", 0, 600_000, Whole: true),
        new("timeout_rate", 0, 1, Whole: false),
        new("tool_failure_rate", 0, 1, Whole: false),
        new("crash_after_steps", 1, MaxCrashAfterSteps, Whole: true),
    ];

    public static IReadOnlySet<string> Keys { get; } = new HashSet<string>(Numbers.Select(n => n.Key).Append(RetryAfterKey), StringComparer.Ordinal);

    /// <summary>The longest Retry-After a chaos 429 may ask for: the router honours at most 30 s.</summary>
    public static TimeSpan MaxRetryAfter { get; } = TimeSpan.FromSeconds(30);

    public static string RetryAfterRule => $"{RetryAfterKey} must be a duration such as 500ms or 2s, at most {MaxRetryAfter.TotalSeconds:0}s";

    /// <summary>Builds the settings from values already checked against <see cref="Numbers"/>; absent ones are 0.</summary>
    public static ChaosSettings Build(IReadOnlyDictionary<string, double> numbers, TimeSpan? retryAfter)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        double Get(string key) => numbers.TryGetValue(key, out var v) ? v : 0;
        return new ChaosSettings(
            ProviderErrorRate: Get("provider_error_rate"),
            RateLimitRate: Get("rate_limit_rate"),
            RetryAfter: retryAfter,
            AddedLatencyMs: (int)Get("latency_ms"),
            TimeoutRate: Get("timeout_rate"),
            ToolFailureRate: Get("tool_failure_rate"),
            CrashAfterSteps: numbers.TryGetValue("crash_after_steps", out var k) ? (int)k : null);
    }
}

/// <summary>One numeric chaos field and its accepted range.</summary>
public sealed record ChaosField(string Key, double Min, double Max, bool Whole)
{
    public bool Accepts(double value) => value >= Min && value <= Max && (!Whole || value == Math.Floor(value));

    public string Rule => $"{Key} must be a {(Whole ? "whole number" : "number")} from {Min.ToString(CultureInfo.InvariantCulture)} to {Max.ToString(CultureInfo.InvariantCulture)}";
}
