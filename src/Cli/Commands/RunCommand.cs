using System.Text.Json;
using Spectre.Console;
using Warden.Cli.Client;
using Warden.Runtime.Storage;

namespace Warden.Cli.Commands;

public static class RunCommand
{
    public sealed record Args(string GraphPath, string? Input, long? Seed, bool AutoApprove);

    public static async Task<int> RunAsync(Args args, Target target, IAnsiConsole console, CancellationToken ct)
    {
        if (!File.Exists(args.GraphPath))
        {
            throw new CliException($"graph file '{args.GraphPath}' not found", 2);
        }

        var yaml = await GraphFiles.ReadAsync(args.GraphPath, ct);
        var input = args.Input ?? "{}";
        try
        {
            using var _ = JsonDocument.Parse(input);
        }
        catch (JsonException ex)
        {
            throw new CliException($"--input is not valid JSON: {ex.Message}", 2);
        }

        LocalWarden? local = null;
        var client = target.IsRemote ? target.Connect() : (local = await LocalWarden.StartAsync(target.DataDirectory, SqliteSynchronous.Full, ct)).Client;
        try
        {
            var graph = await client.UploadGraphAsync(yaml, ct);
            var graphId = graph.GetProperty("graph_id").GetString()!;
            var started = await client.StartRunAsync(graphId, input, args.Seed, ct);
            var runId = started.GetProperty("run_id").GetString()!;
            console.MarkupLine($"graph [bold]{graphId}[/] v{graph.GetProperty("version")}: started run [blue]{runId}[/]");
            var finished = await new RunWatcher(client, console).FollowAsync(
                new Dictionary<string, string> { [runId] = graphId },
                async (_, approvalId) =>
                {
                    if (args.AutoApprove)
                    {
                        await client.DecideAsync(approvalId, approve: true, "approved by warden run --approve", ct);
                    }
                    else if (local is not null)
                    {
                        throw new CliException($"run {runId} is waiting for approval {approvalId}; run again with --approve, or use `warden serve` and POST /api/v1/approvals/{approvalId}/decision (the run stays durable in {target.DataDirectory})", 3);
                    }
                    else
                    {
                        console.MarkupLine($"[yellow]waiting for a decision on {approvalId}[/] (POST /api/v1/approvals/{approvalId}/decision)");
                    }
                },
                TimeSpan.FromHours(1),
                ct);
            var run = finished[runId];
            await Reports.TimelineAsync(console, client, graphId, runId, ct);
            Reports.Usage(console, [(graphId, run)]);
            var status = run.GetProperty("status").GetString();
            if (status == "completed")
            {
                console.MarkupLine("[bold]Output[/]");
                console.WriteLine(run.TryGetProperty("output", out var output) ? output.GetString() ?? string.Empty : string.Empty);
                return 0;
            }

            console.MarkupLine($"[red]run {status}: {Markup.Escape(run.TryGetProperty("error", out var e) ? e.GetString() ?? string.Empty : string.Empty)}[/]");
            return 1;
        }
        finally
        {
            if (local is not null)
            {
                await local.DisposeAsync();
            }
            else
            {
                client.Dispose();
            }
        }
    }
}
