using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Warden.Core.Serialization;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;

namespace Warden.Cli.Commands;

/// <summary>`warden usage`: LLM calls, tokens and cost grouped by agent, graph, model, provider or day.</summary>
public static class UsageCommand
{
    private static readonly string[] Groupings = ["agent", "graph", "model", "provider", "day"];

    public static async Task<int> RunAsync(Target target, string groupBy, int days, IAnsiConsole console, CancellationToken ct)
    {
        if (!Groupings.Contains(groupBy))
        {
            throw new Client.CliException($"--group-by must be one of {string.Join(", ", Groupings)}, not '{groupBy}'", 2);
        }

        if (days is < 1 or > 366)
        {
            throw new Client.CliException("--days must be from 1 to 366", 2);
        }

        var until = DateTimeOffset.UtcNow;
        var since = until.AddDays(-days);
        JsonElement items;
        if (target.IsRemote)
        {
            using var client = target.Connect();
            items = (await client.GetUsageAsync(groupBy, since, until, ct)).GetProperty("items");
        }
        else
        {
            var dbFile = Path.Combine(target.DataDirectory, "warden.db");
            if (!File.Exists(dbFile))
            {
                throw new Client.CliException($"no Warden data in '{Path.GetFullPath(target.DataDirectory)}'; pass --data-dir, or --server and --api-key", 2);
            }

            var store = new SqliteUsageStore(new SqliteDatabase(target.DataDirectory));
            var rows = await store.GroupAsync(SqliteTenantStore.DemoTenant, since, until, Enum.Parse<UsageGrouping>(groupBy, ignoreCase: true), ct);
            items = JsonSerializer.SerializeToElement(rows, WardenJson.Options);
        }

        var table = new Table().Title($"[bold]LLM usage, last {days} days, by {groupBy}[/]").Border(TableBorder.Rounded)
            .AddColumn(groupBy)
            .AddColumn(new TableColumn("calls").RightAligned())
            .AddColumn(new TableColumn("errors").RightAligned())
            .AddColumn(new TableColumn("input").RightAligned())
            .AddColumn(new TableColumn("output").RightAligned())
            .AddColumn(new TableColumn("cost USD").RightAligned())
            .AddColumn(new TableColumn("avg ms").RightAligned());
        foreach (var row in items.EnumerateArray())
        {
            table.AddRow(
                Markup.Escape(row.GetProperty("key").GetString()!),
                row.GetProperty("calls").ToString(),
                row.GetProperty("errors").ToString(),
                row.GetProperty("input_tokens").ToString(),
                row.GetProperty("output_tokens").ToString(),
                row.GetProperty("cost_usd").GetDecimal().ToString("0.000000", CultureInfo.InvariantCulture),
                row.GetProperty("avg_latency_ms").ToString());
        }

        console.Write(table);
        return 0;
    }
}
