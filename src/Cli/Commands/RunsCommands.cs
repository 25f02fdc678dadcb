using System.Text.Json;
using Spectre.Console;
using Warden.Cli.Client;
using Warden.Core.Serialization;
using Warden.Runtime.Api;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;

namespace Warden.Cli.Commands;

/// <summary>`runs list` and `runs show`: through the API with --server, else read-only from the local store.</summary>
public static class RunsCommands
{
    private const string LocalTenant = SqliteTenantStore.DemoTenant;

    public static async Task<int> ListAsync(Target target, string? graph, string? status, int limit, IAnsiConsole console, CancellationToken ct)
    {
        if (limit is < 1 or > 200)
        {
            throw new CliException("--limit must be from 1 to 200", 2);
        }

        JsonElement page;
        if (target.IsRemote)
        {
            using var client = target.Connect();
            page = await client.ListRunsAsync(graph, status, limit, ct);
        }
        else
        {
            var store = new SqliteRunStore(OpenLocal(target));
            var result = await store.ListAsync(LocalTenant, new RunQuery(graph, status, limit), ct);
            page = ToJson(new { items = result.Items.Select(Responses.RunSummary) });
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("run").AddColumn("graph").AddColumn("status").AddColumn("tokens").AddColumn("cost USD").AddColumn("created");
        foreach (var run in page.GetProperty("items").EnumerateArray())
        {
            var usage = run.GetProperty("usage");
            table.AddRow(
                run.GetProperty("run_id").GetString()!,
                $"{Markup.Escape(run.GetProperty("graph_id").GetString()!)} v{run.GetProperty("graph_version")}",
                run.GetProperty("status").GetString()!,
                usage.GetProperty("total_tokens").ToString(),
                usage.GetProperty("cost_usd").ToString(),
                run.GetProperty("created_at").GetString()!);
        }

        console.Write(table);
        return 0;
    }

    public static async Task<int> ShowAsync(Target target, string runId, IAnsiConsole console, CancellationToken ct)
    {
        JsonElement run;
        if (target.IsRemote)
        {
            using var client = target.Connect();
            run = await client.GetRunAsync(runId, ct);
        }
        else
        {
            var record = await new SqliteRunStore(OpenLocal(target)).GetAsync(LocalTenant, runId, ct)
                ?? throw new CliException($"run '{runId}' not found in {target.DataDirectory}", 1);
            run = ToJson(Responses.Run(record));
        }

        console.MarkupLine($"[bold]{runId}[/] {Markup.Escape(run.GetProperty("graph_id").GetString()!)} v{run.GetProperty("graph_version")}: [bold]{run.GetProperty("status").GetString()}[/]");
        if (run.TryGetProperty("error", out var error))
        {
            console.MarkupLine($"[red]{Markup.Escape(error.GetString() ?? string.Empty)}[/]");
        }

        Reports.Usage(console, [(run.GetProperty("graph_id").GetString()!, run)]);
        if (run.TryGetProperty("output", out var output))
        {
            console.MarkupLine("[bold]Output[/]");
            console.WriteLine(output.GetString() ?? string.Empty);
        }

        return 0;
    }

    private static SqliteDatabase OpenLocal(Target target) =>
        File.Exists(Path.Combine(target.DataDirectory, "warden.db"))
            ? new SqliteDatabase(target.DataDirectory)
            : throw new CliException($"no Warden data in '{Path.GetFullPath(target.DataDirectory)}'; pass --data-dir, or --server and --api-key", 2);

    private static JsonElement ToJson(object value) => JsonSerializer.SerializeToElement(value, WardenJson.Options);
}
