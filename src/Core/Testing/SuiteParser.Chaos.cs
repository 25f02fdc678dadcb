using System.Globalization;
using System.Text.Json.Nodes;
using Warden.Core.Graphs;
using Warden.Core.Runs.Chaos;
using YamlDotNet.RepresentationModel;

namespace Warden.Core.Testing;

public sealed partial class SuiteParser
{
    /// <summary>
    /// A case's faults, in the start-run body's shape: <c>chaos: {provider_error_rate: 0.3, rate_limit_rate: 0.2,
    /// retry_after: 1s, latency_ms: 50, timeout_rate: 0.1, tool_failure_rate: 0.5, crash_after_steps: 2}</c>.
    /// </summary>
    private JsonObject? ParseChaos(YamlNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not YamlMappingNode map || map.Children.Count == 0)
        {
            Error(path, node, $"chaos must be a mapping of {string.Join(", ", ChaosRules.Keys)}");
            return null;
        }

        CheckKeys(map, path, [.. ChaosRules.Keys]);
        var result = new JsonObject();
        foreach (var field in ChaosRules.Numbers)
        {
            if (Child(map, field.Key) is not { } value)
            {
                continue;
            }

            if (value is YamlScalarNode { Value: { } text }
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                && field.Accepts(number))
            {
                result[field.Key] = number;
            }
            else
            {
                Error($"{path}.{field.Key}", value, field.Rule);
            }
        }

        if (Child(map, ChaosRules.RetryAfterKey) is { } wait)
        {
            if (wait is YamlScalarNode { Value: { } text } && Durations.TryParse(text, out var parsed) && parsed <= ChaosRules.MaxRetryAfter)
            {
                result[ChaosRules.RetryAfterKey] = text.Trim();
            }
            else
            {
                Error($"{path}.{ChaosRules.RetryAfterKey}", wait, ChaosRules.RetryAfterRule);
            }
        }

        return result;
    }
}
