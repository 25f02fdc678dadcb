using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Warden.Cli.Client;
using Warden.Runtime.Storage;

namespace Warden.Cli.Commands;

/// <summary>
/// Warden's main job with nothing configured: the embedded engine on a fresh data directory runs both
/// example graphs on the mock provider, an operator approves the ops-copilot gate, and the timelines and
/// costs are printed. Exits 0 only when both runs complete.
/// </summary>
public static class DemoCommand
{
    private static readonly (string Resource, string Title, string Input)[] Demos =
    [
        ("examples/research-to-code.yaml", "research-to-code", """{"task":"Build a command-line tool that deduplicates and sorts a list of numbers"}"""),
        ("examples/ops-copilot.yaml", "ops-copilot", """{"request":"Rotate the TLS certificate on the payments gateway"}"""),
    ];

    public static async Task<int> RunAsync(string? dataDirectory, IAnsiConsole console, CancellationToken ct)
    {
        var dir = dataDirectory ?? Path.Combine(Path.GetTempPath(), "warden-demo-" + Guid.NewGuid().ToString("N")[..8]);
        console.MarkupLine($"[bold]Warden demo[/] — embedded engine, SQLite at [blue]{Markup.Escape(Path.GetFullPath(dir))}[/], mock provider");
        await using var warden = await LocalWarden.StartAsync(dir, SqliteSynchronous.Full, ct);
        var client = warden.Client;
        var operatorKey = await warden.Services.GetRequiredService<ITenantStore>().IssueKeyAsync("demo", "demo-operator", "operator", ct);
        using var asOperator = client.WithKey(operatorKey);

        var labels = new Dictionary<string, string>();
        foreach (var (resource, title, input) in Demos)
        {
            var graph = await client.UploadGraphAsync(ReadExample(resource), ct);
            var run = await client.StartRunAsync(graph.GetProperty("graph_id").GetString()!, input, seed: 42, ct);
            var runId = run.GetProperty("run_id").GetString()!;
            labels[runId] = title;
            console.MarkupLine($"uploaded [bold]{title}[/] v{graph.GetProperty("version")} and started run [blue]{runId}[/]");
        }

        var finished = await new RunWatcher(client, console).FollowAsync(
            labels,
            async (runId, approvalId) =>
            {
                await asOperator.DecideAsync(approvalId, approve: true, "demo: plan reviewed by the on-call operator", ct);
                console.MarkupLine($"[yellow]operator approved {approvalId}[/]");
            },
            TimeSpan.FromMinutes(5),
            ct);

        console.WriteLine();
        var results = new List<(string, JsonElement)>();
        foreach (var (runId, title) in labels)
        {
            await Reports.TimelineAsync(console, client, title, runId, ct);
            results.Add((title, finished[runId]));
        }

        Reports.Usage(console, results);
        var failed = results.Where(r => r.Item2.GetProperty("status").GetString() != "completed").ToList();
        foreach (var (title, run) in failed)
        {
            console.MarkupLine($"[red]{title} ended {run.GetProperty("status").GetString()}: {Markup.Escape(run.TryGetProperty("error", out var e) ? e.GetString() ?? string.Empty : string.Empty)}[/]");
        }

        if (failed.Count == 0)
        {
            console.MarkupLine("[green]Both runs completed.[/]");
        }

        return failed.Count == 0 ? 0 : 1;
    }

    internal static string ReadExample(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new CliException($"example {resource} is not embedded in this build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
