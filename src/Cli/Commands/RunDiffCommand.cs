using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Warden.Core.Serialization;
using Warden.Runtime.Diff;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;

namespace Warden.Cli.Commands;

/// <summary>`runs diff A B`: the API's run diff (with --server) or the same comparison over the local store, as a summary or --json.</summary>
public static class RunDiffCommand
{
    // Relaxed escaping so a diff's "+" and "<" print as themselves; the output is a terminal or a file, never HTML.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(Target target, string runA, string runB, bool json, IAnsiConsole console, CancellationToken ct)
    {
        JsonElement diff;
        if (target.IsRemote)
        {
            using var client = target.Connect();
            diff = await client.DiffRunsAsync(runA, runB, ct);
        }
        else
        {
            diff = await LocalAsync(target, runA, runB, ct);
        }

        if (json)
        {
            // Straight to the output, unwrapped: this is for scripts.
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(diff, Indented));
            return 0;
        }

        Print(diff, console);
        return 0;
    }

    private static async Task<JsonElement> LocalAsync(Target target, string runA, string runB, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(target.DataDirectory, "warden.db")))
        {
            throw new Client.CliException($"no Warden data in '{Path.GetFullPath(target.DataDirectory)}'; pass --data-dir, or --server and --api-key", 2);
        }

        var store = new SqliteRunStore(new SqliteDatabase(target.DataDirectory));
        var a = await RunTrace.LoadAsync(store, SqliteTenantStore.DemoTenant, runA, ct) ?? throw new Client.CliException($"run '{runA}' not found in {target.DataDirectory}", 1);
        var b = await RunTrace.LoadAsync(store, SqliteTenantStore.DemoTenant, runB, ct) ?? throw new Client.CliException($"run '{runB}' not found in {target.DataDirectory}", 1);
        return JsonSerializer.SerializeToElement(RunDiffer.Compare(a, b), WardenJson.Options);
    }

    private static void Print(JsonElement diff, IAnsiConsole console)
    {
        var a = diff.GetProperty("a");
        var b = diff.GetProperty("b");
        console.MarkupLine($"[bold]a[/] {Side(a)}");
        console.MarkupLine($"[bold]b[/] {Side(b)}");
        var identical = diff.GetProperty("identical").GetBoolean();
        console.MarkupLine($"similarity [bold]{Number(diff.GetProperty("similarity"))}[/]" + (identical ? " — [green]identical[/]" : string.Empty));

        var path = diff.GetProperty("path");
        console.MarkupLine($"path a: {Markup.Escape(Join(a.GetProperty("path"), " → "))}");
        console.MarkupLine($"path b: {Markup.Escape(Join(b.GetProperty("path"), " → "))}");
        if (!path.GetProperty("same").GetBoolean())
        {
            console.MarkupLine($"  added: [green]{Markup.Escape(Join(path.GetProperty("added"), ", "))}[/]  removed: [red]{Markup.Escape(Join(path.GetProperty("removed"), ", "))}[/]  reordered: [yellow]{Markup.Escape(Join(path.GetProperty("reordered"), ", "))}[/]");
        }

        if (diff.GetProperty("status_changed").GetBoolean() || diff.GetProperty("error_changed").GetBoolean())
        {
            console.MarkupLine($"status: {Markup.Escape(a.GetProperty("status").GetString()!)} → {Markup.Escape(b.GetProperty("status").GetString()!)}");
            console.MarkupLine($"error: {Markup.Escape(Text(a, "error_code") + " " + Text(a, "error"))} → {Markup.Escape(Text(b, "error_code") + " " + Text(b, "error"))}");
        }

        var deltas = diff.GetProperty("deltas");
        var totals = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn("a").AddColumn("b").AddColumn("b − a");
        totals.AddRow("tokens", a.GetProperty("total_tokens").ToString(), b.GetProperty("total_tokens").ToString(), Signed(deltas.GetProperty("total_tokens")));
        totals.AddRow("cost USD", a.GetProperty("cost_usd").ToString(), b.GetProperty("cost_usd").ToString(), Signed(deltas.GetProperty("cost_usd")));
        totals.AddRow("duration ms", a.GetProperty("duration_ms").ToString(), b.GetProperty("duration_ms").ToString(), Signed(deltas.GetProperty("duration_ms")));
        console.Write(totals);

        var nodes = new Table().Border(TableBorder.Rounded).AddColumn("node").AddColumn("change").AddColumn("status a → b").AddColumn("similarity").AddColumn("tokens Δ").AddColumn("cost Δ").AddColumn("ms Δ");
        foreach (var node in diff.GetProperty("nodes").EnumerateArray())
        {
            var change = node.GetProperty("change").GetString()!;
            var colour = change switch { "added" => "green", "removed" => "red", "changed" => "yellow", _ => "default" };
            nodes.AddRow(
                Markup.Escape(node.GetProperty("node_id").GetString()!),
                $"[{colour}]{change}[/]",
                $"{Text(node, "status_a")} → {Text(node, "status_b")}",
                Number(node.GetProperty("similarity")),
                Signed(node.GetProperty("tokens_delta")),
                Signed(node.GetProperty("cost_usd_delta")),
                Signed(node.GetProperty("duration_ms_delta")));
        }

        console.Write(nodes);
        foreach (var node in diff.GetProperty("nodes").EnumerateArray().Where(n => n.TryGetProperty("output_diff", out _)))
        {
            console.MarkupLine($"[bold]--- {Markup.Escape(node.GetProperty("node_id").GetString()!)} output[/]");
            foreach (var line in node.GetProperty("output_diff").EnumerateArray())
            {
                var op = line.GetProperty("op").GetString();
                var text = Markup.Escape(line.GetProperty("text").GetString() ?? string.Empty);
                console.MarkupLine(op switch { "+" => $"[green]+ {text}[/]", "-" => $"[red]- {text}[/]", _ => $"  {text}" });
            }
        }

        var governance = diff.GetProperty("governance").GetProperty("changes");
        if (governance.GetArrayLength() > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).Title("governance").AddColumn("decision").AddColumn("a").AddColumn("b");
            foreach (var c in governance.EnumerateArray())
            {
                table.AddRow(Markup.Escape(c.GetProperty("kind").GetString()!), c.GetProperty("a").ToString(), c.GetProperty("b").ToString());
            }

            console.Write(table);
        }
        else
        {
            console.MarkupLine("governance: no differences");
        }
    }

    private static string Side(JsonElement side) =>
        $"{side.GetProperty("run_id").GetString()} {Markup.Escape(side.GetProperty("graph_id").GetString()!)} v{side.GetProperty("graph_version")}: {side.GetProperty("status").GetString()}";

    private static string Join(JsonElement items, string separator) => string.Join(separator, items.EnumerateArray().Select(i => i.GetString()));

    private static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "-";

    private static string Number(JsonElement e) => e.GetDouble().ToString("0.####", CultureInfo.InvariantCulture);

    private static string Signed(JsonElement e)
    {
        // Dividing by 1.000... drops the trailing zeros a decimal keeps from its scale (0.0000360 → 0.000036).
        var value = e.GetDecimal() / 1.000000000000000000000000000m;
        return (value > 0 ? "+" : string.Empty) + value.ToString(CultureInfo.InvariantCulture);
    }
}
