using System.Globalization;
using Warden.Core.Guardrails.CircuitBreaker;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Guardrails;

public enum ProviderStrategy
{
    /// <summary>Candidates in the order the graph lists them.</summary>
    Priority,

    /// <summary>Cheapest model first, by the price table.</summary>
    LowestCost,

    /// <summary>Rotate the first candidate across runs and nodes.</summary>
    RoundRobin,
}

/// <summary>Guardrail settings; environment variables are documented in the README.</summary>
public sealed class GuardrailOptions
{
    public CircuitBreakerOptions Breaker { get; set; } = CircuitBreakerOptions.Default;

    /// <summary>LLM calls per minute per provider (and region); 0 means no limit.</summary>
    public int LlmCallsPerMinute { get; set; }

    /// <summary>HTTP API requests per minute per tenant.</summary>
    public int ApiRequestsPerMinute { get; set; } = 100;

    public ProviderStrategy Strategy { get; set; } = ProviderStrategy.Priority;

    /// <summary>Output tokens assumed when estimating a step's cost before it runs.</summary>
    public int ExpectedOutputTokens { get; set; } = 512;

    public static GuardrailOptions FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var options = new GuardrailOptions();
        if (Int("LLM_RATE_LIMIT_PER_MIN", 0, 1_000_000) is { } llm)
        {
            options.LlmCallsPerMinute = llm;
        }

        if (Int("API_RATE_LIMIT_PER_MIN", 1, 1_000_000) is { } api)
        {
            options.ApiRequestsPerMinute = api;
        }

        if (Int("BREAKER_FAILURE_THRESHOLD", 1, 1000) is { } threshold)
        {
            options.Breaker = options.Breaker with { FailureThreshold = threshold };
        }

        if (Int("BREAKER_BREAK_SECONDS", 1, 86_400) is { } seconds)
        {
            options.Breaker = options.Breaker with { BreakDuration = TimeSpan.FromSeconds(seconds) };
        }

        if (read("DEFAULT_PROVIDER_STRATEGY") is { Length: > 0 } strategy)
        {
            options.Strategy = strategy.ToLowerInvariant() switch
            {
                "priority" => ProviderStrategy.Priority,
                "lowest_cost" => ProviderStrategy.LowestCost,
                "round_robin" => ProviderStrategy.RoundRobin,
                _ => throw new ConfigurationException($"DEFAULT_PROVIDER_STRATEGY must be priority, lowest_cost or round_robin, not '{strategy}'"),
            };
        }

        return options;

        int? Int(string name, int min, int max)
        {
            var text = read(name);
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                ? n
                : throw new ConfigurationException($"{name} must be a whole number from {min} to {max}, not '{text}'");
        }
    }
}
