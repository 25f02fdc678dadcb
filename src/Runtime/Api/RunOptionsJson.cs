using System.Text.Json;
using Warden.Core.Graphs;
using Warden.Core.Runs;

namespace Warden.Runtime.Api;

/// <summary>
/// Reads the per-run options of a start-run body: <c>mock</c> (per-node overrides of the graph's mock settings) and
/// <c>tags</c> (string pairs). Node ids are checked against the graph the run will use, so a typo is a 400, not a
/// silently ignored override.
/// </summary>
public static class RunOptionsJson
{
    private const int MaxTags = 32;
    private const int MaxTagLength = 256;
    private static readonly HashSet<string> MockKeys = ["latency_ms", "fail_first_attempts", "error_rate", "response"];

    public static RunOptions Read(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return RunOptions.None;
        }

        return new RunOptions(
            Mocks: body.TryGetProperty("mock", out var mock) ? Mocks(mock) : null,
            Chaos: body.TryGetProperty("chaos", out var chaos) ? ChaosJson.Read(chaos) : null,
            Replay: body.TryGetProperty("replay", out var replay) ? Replay(replay) : null,
            Tags: body.TryGetProperty("tags", out var tags) ? Tags(tags) : null,
            Ungoverned: body.TryGetProperty("ungoverned", out var ungoverned) && Flag(ungoverned, "ungoverned"));
    }

    private static bool Flag(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False or JsonValueKind.Null => false,
        _ => throw ApiException.BadRequest($"{name} must be true or false"),
    };

    /// <summary>Every node a mock override names must be in the graph.</summary>
    public static void CheckAgainst(RunOptions options, GraphDefinition graph)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(graph);
        var unknown = (options.Mocks?.Keys ?? []).Where(id => graph.Nodes.All(n => n.Id != id)).ToList();
        if (unknown.Count > 0)
        {
            throw ApiException.BadRequest(
                $"mock names node(s) the graph does not have: {string.Join(", ", unknown)} (nodes: {string.Join(", ", graph.Nodes.Select(n => n.Id))})");
        }
    }

    private static Dictionary<string, MockSettings> Mocks(JsonElement mock)
    {
        if (mock.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("mock must be an object of node id -> {latency_ms, fail_first_attempts, error_rate, response}");
        }

        var result = new Dictionary<string, MockSettings>(StringComparer.Ordinal);
        foreach (var node in mock.EnumerateObject())
        {
            if (node.Value.ValueKind != JsonValueKind.Object)
            {
                throw ApiException.BadRequest($"mock.{node.Name} must be an object of latency_ms, fail_first_attempts, error_rate, response");
            }

            if (node.Value.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => !MockKeys.Contains(name)) is { } extra)
            {
                throw ApiException.BadRequest($"mock.{node.Name}.{extra} is not a mock setting (use {string.Join(", ", MockKeys)})");
            }

            result[node.Name] = new MockSettings(
                (int)Number(node.Value, node.Name, "latency_ms", 0, 600_000),
                (int)Number(node.Value, node.Name, "fail_first_attempts", 0, 100),
                Number(node.Value, node.Name, "error_rate", 0, 1),
                node.Value.TryGetProperty("response", out var response)
                    ? response.ValueKind == JsonValueKind.String ? response.GetString() : throw ApiException.BadRequest($"mock.{node.Name}.response must be a string")
                    : null);
        }

        return result;
    }

    private static double Number(JsonElement map, string node, string name, double min, double max)
    {
        if (!map.TryGetProperty(name, out var value))
        {
            return 0;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number < min || number > max)
        {
            throw ApiException.BadRequest($"mock.{node}.{name} must be a number from {min} to {max}");
        }

        return number;
    }

    /// <summary><c>replay: {recording_id, on_miss?: call|fail}</c>: answer the run's steps from a stored recording.</summary>
    private static ReplaySettings Replay(JsonElement replay)
    {
        if (replay.ValueKind != JsonValueKind.Object
            || !replay.TryGetProperty("recording_id", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString()))
        {
            throw ApiException.BadRequest("replay must be an object {recording_id, on_miss?: call|fail}");
        }

        return new ReplaySettings(id.GetString()!, MissPolicy(replay.TryGetProperty("on_miss", out var onMiss) && onMiss.ValueKind == JsonValueKind.String ? onMiss.GetString() : null));
    }

    /// <summary>What a replayed step with no recorded response does: <c>call</c> (the default) or <c>fail</c>.</summary>
    public static ReplayMissPolicy MissPolicy(string? text) => text switch
    {
        null or "call" => ReplayMissPolicy.Call,
        "fail" => ReplayMissPolicy.Fail,
        _ => throw ApiException.BadRequest("on_miss must be call or fail"),
    };

    private static Dictionary<string, string> Tags(JsonElement tags)
    {
        if (tags.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("tags must be an object of string values");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags.EnumerateObject())
        {
            if (tag.Value.ValueKind != JsonValueKind.String || tag.Name.Length is 0 or > MaxTagLength || tag.Value.GetString()!.Length > MaxTagLength)
            {
                throw ApiException.BadRequest($"tags.{tag.Name} must be a string of at most {MaxTagLength} characters, under a non-empty name");
            }

            result[tag.Name] = tag.Value.GetString()!;
        }

        return result.Count <= MaxTags ? result : throw ApiException.BadRequest($"at most {MaxTags} tags");
    }
}
