using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Warden.Cli.Client;
using Warden.Runtime.Storage;

namespace Warden.Cli.Commands;

/// <summary>
/// `replay RUN` (exact, or a candidate version answered from the run's recording) and `runs export RUN` (the recording
/// as a file): the API's replay endpoints, in-process on the data directory or against --server.
/// </summary>
public static class ReplayCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public sealed record ReplayArgs(string RunId, string? Mode, long? Version, string? OnMiss, bool Json);

    /// <returns>0 when the replay decided identically (exact) or its run completed (candidate), else 1.</returns>
    public static async Task<int> ReplayAsync(Target target, ReplayArgs args, IAnsiConsole console, CancellationToken ct)
    {
        var mode = args.Mode ?? (args.Version is null && args.OnMiss is null ? "exact" : "candidate");
        var body = new JsonObject { ["mode"] = mode };
        if (mode == "candidate")
        {
            body["wait_seconds"] = 120;
            body["on_miss"] = args.OnMiss ?? "call";
            if (args.Version is { } version)
            {
                body["version"] = version;
            }
        }

        var report = await WithClientAsync(target, client => client.ReplayRunAsync(args.RunId, body, ct), ct);
        if (args.Json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(report, Indented));
        }
        else if (mode == "exact")
        {
            PrintExact(report, console);
        }
        else
        {
            PrintCandidate(report, console);
        }

        return mode == "exact"
            ? report.GetProperty("identical").GetBoolean() ? 0 : 1
            : report.GetProperty("status").GetString() == "completed" ? 0 : 1;
    }

    public static async Task<int> ExportAsync(Target target, string runId, string? outFile, IAnsiConsole console, CancellationToken ct)
    {
        var recording = await WithClientAsync(target, client => client.GetRecordingAsync(runId, ct), ct);
        var text = JsonSerializer.Serialize(recording, Indented);
        if (outFile is null)
        {
            console.Profile.Out.Writer.WriteLine(text);
            return 0;
        }

        if (Path.GetDirectoryName(Path.GetFullPath(outFile)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        await File.WriteAllTextAsync(outFile, text + Environment.NewLine, ct);
        console.MarkupLine($"Recording of {Markup.Escape(runId)} ({recording.GetProperty("calls").GetArrayLength()} responses) written to {Markup.Escape(outFile)}");
        return 0;
    }

    private static async Task<JsonElement> WithClientAsync(Target target, Func<WardenClient, Task<JsonElement>> call, CancellationToken ct)
    {
        if (target.IsRemote)
        {
            using var client = target.Connect();
            return await call(client);
        }

        if (!File.Exists(Path.Combine(target.DataDirectory, "warden.db")))
        {
            throw new CliException($"no Warden data in '{Path.GetFullPath(target.DataDirectory)}'; pass --data-dir, or --server and --api-key", 2);
        }

        await using var local = await LocalWarden.StartAsync(target.DataDirectory, SqliteSynchronous.Normal, ct);
        return await call(local.Client);
    }

    private static void PrintExact(JsonElement report, IAnsiConsole console)
    {
        var counts = $"{report.GetProperty("events")} recorded events, {report.GetProperty("decisions")} decisions re-driven";
        if (report.GetProperty("identical").GetBoolean())
        {
            console.MarkupLine($"[green]identical[/]: {counts}");
            return;
        }

        var divergence = report.GetProperty("first_divergence");
        console.MarkupLine($"[red]diverged[/] at event {divergence.GetProperty("event_index")} (timeline entry {divergence.GetProperty("timeline_index")}); {counts}");
        console.MarkupLine($"  expected: {Markup.Escape(divergence.GetProperty("expected").GetString()!)}");
        console.MarkupLine($"  actual:   {Markup.Escape(divergence.GetProperty("actual").GetString()!)}");
    }

    private static void PrintCandidate(JsonElement report, IAnsiConsole console)
    {
        var runId = report.GetProperty("run_id").GetString()!;
        var source = report.GetProperty("source_run_id").GetString()!;
        console.MarkupLine($"[bold]{Markup.Escape(runId)}[/] replays {Markup.Escape(source)} on {Markup.Escape(report.GetProperty("graph_id").GetString()!)} v{report.GetProperty("graph_version")}: [bold]{report.GetProperty("status").GetString()}[/]");
        if (report.TryGetProperty("replay", out var counts))
        {
            console.MarkupLine($"  replayed {counts.GetProperty("replayed")}, called {counts.GetProperty("called")}, missed {counts.GetProperty("missed")} (on_miss {report.GetProperty("on_miss").GetString()})");
        }

        console.MarkupLine($"  compare: warden runs diff {Markup.Escape(source)} {Markup.Escape(runId)}");
    }
}
