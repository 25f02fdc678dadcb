using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Warden.Cli.Client;

namespace Warden.Cli.Commands;

/// <summary>The tables printed after a run: its timeline and its token/cost summary per agent.</summary>
public static class Reports
{
    public static async Task TimelineAsync(IAnsiConsole console, WardenClient client, string title, string runId, CancellationToken ct)
    {
        var table = new Table().Title($"[bold]{Markup.Escape(title)}[/] timeline").Border(TableBorder.Rounded)
            .AddColumn("#").AddColumn("at (ms)").AddColumn("node").AddColumn("event").AddColumn("attempt");
        var events = (await client.GetEventsAsync(runId, 0, ct)).GetProperty("items").EnumerateArray().ToList();
        var start = events.Count > 0 ? DateTimeOffset.Parse(events[0].GetProperty("at").GetString()!, CultureInfo.InvariantCulture) : DateTimeOffset.MinValue;
        foreach (var e in events)
        {
            var at = DateTimeOffset.Parse(e.GetProperty("at").GetString()!, CultureInfo.InvariantCulture);
            table.AddRow(
                e.GetProperty("seq").ToString(),
                ((long)(at - start).TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                Markup.Escape(e.TryGetProperty("node_id", out var n) ? n.GetString() ?? string.Empty : string.Empty),
                Markup.Escape(e.GetProperty("type").GetString()!),
                e.TryGetProperty("attempt", out var a) ? a.ToString() : string.Empty);
        }

        console.Write(table);
    }

    public static void Usage(IAnsiConsole console, IReadOnlyList<(string Title, JsonElement Run)> runs)
    {
        var table = new Table().Title("[bold]Tokens and cost[/]").Border(TableBorder.Rounded)
            .AddColumn("run").AddColumn("agent").AddColumn("status").AddColumn("provider/model")
            .AddColumn(new TableColumn("input").RightAligned()).AddColumn(new TableColumn("output").RightAligned()).AddColumn(new TableColumn("cost USD").RightAligned());
        long totalIn = 0, totalOut = 0;
        decimal totalCost = 0;
        foreach (var (title, run) in runs)
        {
            foreach (var node in run.GetProperty("nodes").EnumerateArray())
            {
                var usage = node.GetProperty("usage");
                var model = node.TryGetProperty("provider", out var p) ? $"{p.GetString()}/{node.GetProperty("model").GetString()}" : "-";
                table.AddRow(
                    Markup.Escape(title),
                    Markup.Escape(node.GetProperty("node_id").GetString()!),
                    Markup.Escape(node.GetProperty("status").GetString()!),
                    Markup.Escape(model),
                    usage.GetProperty("input_tokens").ToString(),
                    usage.GetProperty("output_tokens").ToString(),
                    usage.GetProperty("cost_usd").GetDecimal().ToString("0.000000", CultureInfo.InvariantCulture));
            }

            var total = run.GetProperty("usage");
            totalIn += total.GetProperty("input_tokens").GetInt64();
            totalOut += total.GetProperty("output_tokens").GetInt64();
            totalCost += total.GetProperty("cost_usd").GetDecimal();
        }

        table.AddRow("[bold]total[/]", string.Empty, string.Empty, string.Empty, $"[bold]{totalIn}[/]", $"[bold]{totalOut}[/]", $"[bold]{totalCost.ToString("0.000000", CultureInfo.InvariantCulture)}[/]");
        console.Write(table);
    }
}
