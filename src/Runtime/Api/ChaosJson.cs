using System.Text.Json;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Core.Runs.Chaos;

namespace Warden.Runtime.Api;

/// <summary>
/// The <c>chaos</c> object of a start-run body (and of a suite case, which is sent in the same shape):
/// <c>{provider_error_rate, rate_limit_rate, retry_after: "1s", latency_ms, timeout_rate, tool_failure_rate, crash_after_steps}</c>.
/// </summary>
public static class ChaosJson
{
    public static ChaosSettings Read(JsonElement chaos)
    {
        if (chaos.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest($"chaos must be an object of {string.Join(", ", ChaosRules.Keys)}");
        }

        if (chaos.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => !ChaosRules.Keys.Contains(name)) is { } extra)
        {
            throw ApiException.BadRequest($"chaos.{extra} is not a chaos setting (use {string.Join(", ", ChaosRules.Keys)})");
        }

        var numbers = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var field in ChaosRules.Numbers)
        {
            if (!chaos.TryGetProperty(field.Key, out var value))
            {
                continue;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !field.Accepts(number))
            {
                throw ApiException.BadRequest($"chaos.{field.Rule}");
            }

            numbers[field.Key] = number;
        }

        TimeSpan? retryAfter = null;
        if (chaos.TryGetProperty(ChaosRules.RetryAfterKey, out var wait))
        {
            retryAfter = wait.ValueKind == JsonValueKind.String && Durations.TryParse(wait.GetString(), out var parsed) && parsed <= ChaosRules.MaxRetryAfter
                ? parsed
                : throw ApiException.BadRequest($"chaos.{ChaosRules.RetryAfterRule}");
        }

        return ChaosRules.Build(numbers, retryAfter);
    }
}
