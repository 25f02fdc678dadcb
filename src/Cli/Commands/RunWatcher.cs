using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Warden.Cli.Client;

namespace Warden.Cli.Commands;

/// <summary>Follows runs' timelines and prints each node's progress as it happens.</summary>
public sealed class RunWatcher(WardenClient client, IAnsiConsole console)
{
    private static readonly string[] Terminal = ["completed", "failed", "stopped"];

    /// <summary>Streams events of all runs until each ends; <paramref name="onApproval"/> is called for each approval request.</summary>
    public async Task<Dictionary<string, JsonElement>> FollowAsync(
        IReadOnlyDictionary<string, string> runLabels,
        Func<string, string, Task>? onApproval,
        TimeSpan timeout,
        CancellationToken ct)
    {
        var after = runLabels.Keys.ToDictionary(id => id, _ => 0L);
        var done = new Dictionary<string, JsonElement>();
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (done.Count < runLabels.Count)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new CliException($"runs did not finish within {timeout.TotalSeconds:0}s: {string.Join(", ", runLabels.Keys.Except(done.Keys))}");
            }

            var progressed = false;
            foreach (var (runId, label) in runLabels)
            {
                if (done.ContainsKey(runId))
                {
                    continue;
                }

                var page = await client.GetEventsAsync(runId, after[runId], ct);
                foreach (var e in page.GetProperty("items").EnumerateArray())
                {
                    progressed = true;
                    after[runId] = e.GetProperty("seq").GetInt64();
                    Print(label, e);
                    if (e.GetProperty("type").GetString() == "approval.requested" && onApproval is not null)
                    {
                        await onApproval(runId, e.GetProperty("data").GetProperty("approval_id").GetString()!);
                    }
                }

                var run = await client.GetRunAsync(runId, ct);
                if (Terminal.Contains(run.GetProperty("status").GetString()) && page.GetProperty("items").GetArrayLength() == 0)
                {
                    done[runId] = run;
                }
            }

            if (!progressed)
            {
                await Task.Delay(100, ct);
            }
        }

        return done;
    }

    private void Print(string label, JsonElement e)
    {
        var type = e.GetProperty("type").GetString()!;
        var node = e.TryGetProperty("node_id", out var n) ? n.GetString() : null;
        var data = e.TryGetProperty("data", out var d) ? d : default;
        var detail = type switch
        {
            "node.started" => $"attempt {Attempt(e)} on {Get(data, "provider")}/{Get(data, "model")}",
            "node.completed" => $"{Get(data, "input_tokens")}+{Get(data, "output_tokens")} tokens, ${Get(data, "cost_usd")}, {Get(data, "duration_ms")} ms",
            "node.failed" => Get(data, "will_retry") == "true" ? $"attempt {Attempt(e)} failed ({Get(data, "error")}); retrying in {Get(data, "retry_in_ms")} ms" : $"failed: {Get(data, "error")}",
            "approval.requested" => Get(data, "message"),
            "approval.approved" or "approval.rejected" => $"by {Get(data, "actor")}",
            "loop.taken" => $"{Get(data, "edge")} (pass {Get(data, "traversal")})",
            "run.completed" => $"{Get(data, "input_tokens")}+{Get(data, "output_tokens")} tokens, ${Get(data, "cost_usd")}",
            "run.failed" or "run.stopped" => Get(data, "reason"),
            _ => string.Empty,
        };
        var colour = type switch
        {
            "node.completed" or "run.completed" or "approval.approved" => "green",
            "node.failed" or "run.failed" or "approval.rejected" => "red",
            "approval.requested" or "loop.taken" => "yellow",
            _ => "grey",
        };
        console.MarkupLine(CultureInfo.InvariantCulture, "[bold]{0,-18}[/] {1,-14} [{2}]{3,-19}[/] {4}", Markup.Escape(label), Markup.Escape(node ?? string.Empty), colour, Markup.Escape(type), Markup.Escape(detail));
    }

    private static string Attempt(JsonElement e) => e.TryGetProperty("attempt", out var a) ? a.ToString() : "?";

    internal static string Get(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() ?? string.Empty : v.ToString()) : string.Empty;
}
