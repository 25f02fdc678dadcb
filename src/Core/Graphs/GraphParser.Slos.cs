using Warden.Core.Releases;
using YamlDotNet.RepresentationModel;

namespace Warden.Core.Graphs;

/// <summary>
/// The <c>slos:</c> section: <c>{window, auto_rollback, min_runs, objectives: [{success_rate: 0.95}, {p95_latency: 30s},
/// {cost_per_run: 0.05}, {suite_pass_rate: 1.0, suite: name}, {shadow_divergence: 0.85}]}</c>.
/// </summary>
public sealed partial class GraphParser
{
    private static readonly HashSet<string> SloKeys = ["window", "auto_rollback", "min_runs", "objectives"];
    private static readonly HashSet<string> ObjectiveKeys = [.. SloObjective.Names.Values, "suite"];

    private SloSettings? ParseSlos(YamlNode? node)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not YamlMappingNode map)
        {
            Error("$.slos", node, "slos must be a mapping of window, auto_rollback, min_runs and objectives");
            return null;
        }

        CheckKeys(map, "$.slos", SloKeys);
        var window = OptionalDuration(map, "window", "$.slos.window") ?? SloSettings.DefaultWindow;
        var autoRollback = false;
        if (OptionalString(map, "auto_rollback", "$.slos.auto_rollback") is { } flag && !bool.TryParse(flag, out autoRollback))
        {
            Error("$.slos.auto_rollback", Child(map, "auto_rollback"), $"auto_rollback must be true or false, not '{flag}'");
        }

        var minSamples = OptionalInt(map, "min_runs", "$.slos.min_runs", 1, 100_000) ?? SloSettings.DefaultMinSamples;
        var objectives = new List<SloObjective>();
        if (Child(map, "objectives") is not YamlSequenceNode seq || seq.Children.Count == 0)
        {
            Error("$.slos.objectives", Child(map, "objectives") ?? map, "objectives must be a non-empty list such as [{success_rate: 0.95}, {p95_latency: 30s}]");
            return new SloSettings(window, autoRollback, minSamples, objectives);
        }

        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (ParseObjective(seq.Children[i], $"$.slos.objectives[{i}]") is { } objective)
            {
                objectives.Add(objective);
            }
        }

        return new SloSettings(window, autoRollback, minSamples, objectives);
    }

    private SloObjective? ParseObjective(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"an objective is a mapping with one of {string.Join(", ", SloObjective.Names.Values)}");
            return null;
        }

        CheckKeys(map, path, ObjectiveKeys);
        var kinds = SloObjective.Names.Where(n => Child(map, n.Value) is not null).ToList();
        if (kinds.Count != 1)
        {
            Error(path, map, $"an objective names exactly one of {string.Join(", ", SloObjective.Names.Values)}");
            return null;
        }

        var (kind, key) = (kinds[0].Key, kinds[0].Value);
        var suite = OptionalString(map, "suite", path + ".suite");
        if ((kind == SloKind.SuitePassRate) != (suite is not null))
        {
            Error(path + ".suite", Child(map, "suite") ?? map, kind == SloKind.SuitePassRate ? "suite_pass_rate needs suite: the suite's id" : "only suite_pass_rate takes a suite");
        }

        double? target = kind switch
        {
            SloKind.P95Latency => OptionalDuration(map, key, $"{path}.{key}")?.TotalSeconds,
            SloKind.CostPerRun => OptionalDouble(map, key, $"{path}.{key}", 0, 1_000_000),
            _ => OptionalDouble(map, key, $"{path}.{key}", 0, 1),
        };
        return target is null ? null : new SloObjective(kind, target.Value, suite);
    }
}
