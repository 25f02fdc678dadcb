using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Warden.Cli.Client;
using Warden.Cli.Commands.Testing;
using Warden.Core.Graphs;

namespace Warden.Cli.Commands;

/// <summary>
/// `warden promote`: runs the suite (when given) against the version, then asks the release guard about it, and moves the
/// channel only when both pass. Exit 0 promoted, 1 refused (which case or objective, measured against objective), 2 bad
/// arguments. In-process on the data directory's embedded engine, or against --server.
/// </summary>
public static class PromoteCommand
{
    public sealed record Args(string GraphId, long? Version, string? Environment, string? Suite, string Channel, int Parallel);

    public static async Task<int> RunAsync(Args args, Target target, IAnsiConsole console, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Version is not { } version || version < 1)
        {
            throw new CliException("--version N (a graph version, 1 or more) is required", 2);
        }

        if (string.IsNullOrWhiteSpace(args.Environment))
        {
            throw new CliException("--environment NAME (e.g. staging or prod) is required", 2);
        }

        if (!ReleaseCommands.Channels.Contains(args.Channel))
        {
            throw new CliException($"--channel must be one of {string.Join(", ", ReleaseCommands.Channels)}, not '{args.Channel}'", 2);
        }

        if (args.Parallel < 1)
        {
            throw new CliException("--parallel must be at least 1", 2);
        }

        var suites = args.Suite is null ? [] : await SuiteFiles.LoadAsync(args.Suite, ct);
        foreach (var loaded in suites)
        {
            var named = loaded.Suite.Graph.Id ?? (loaded.GraphYaml is { } yaml ? GraphParser.Parse(yaml).Name : null);
            if (named is not null && named != args.GraphId)
            {
                throw new CliException($"{loaded.Path}: the suite tests graph '{named}', not '{args.GraphId}'", 2);
            }
        }

        return await ReleaseCommands.WithClientAsync(target, client => PromoteAsync(args, version, suites, client, console, ct));
    }

    private static async Task<int> PromoteAsync(Args args, long version, IReadOnlyList<LoadedSuite> suites, WardenClient client, IAnsiConsole console, CancellationToken ct)
    {
        var graph = Markup.Escape(args.GraphId);
        foreach (var loaded in suites)
        {
            var result = await TestCommand.RunCasesAsync(loaded, client, args.GraphId, version, args.Parallel, null, console, ct, remote: true);
            if (!result.Passed)
            {
                var failed = result.Cases.Where(c => !c.Passed).Select(c => c.Name).ToList();
                console.MarkupLine($"[red]refused:[/] suite {Markup.Escape(result.Suite)} failed on {graph} v{version}: {failed.Count} of {result.Cases.Count} case(s) failed ({Markup.Escape(string.Join(", ", failed))}); nothing moved");
                return 1;
            }
        }

        var guard = await client.EvaluateGuardAsync(args.GraphId, version, args.Environment!, ct);
        Print(console, guard);
        if (!guard.GetProperty("passed").GetBoolean())
        {
            console.MarkupLine($"[red]refused:[/] the release guard failed {graph} v{version} for {Markup.Escape(args.Environment!)}: {Markup.Escape(guard.GetProperty("summary").GetString() ?? "")}; nothing moved");
            return 1;
        }

        var why = suites.Count == 0 ? "guard passed" : $"suite {string.Join(", ", suites.Select(s => s.Suite.Name))} and guard passed";
        var released = await client.ReleaseAsync(args.GraphId, version, null, args.Channel, $"promoted to {args.Environment}: {why}", ct);
        console.MarkupLine(released.GetProperty("changed").GetBoolean()
            ? $"[green]promoted[/] {graph} v{version} ({released.GetProperty("snapshot_id").GetString()}) to {args.Channel} for {Markup.Escape(args.Environment!)}: {Markup.Escape(why)}"
            : $"{graph} {args.Channel} already points at v{version} ({released.GetProperty("snapshot_id").GetString()}); {Markup.Escape(why)}, nothing moved");
        return 0;
    }

    private static void Print(IAnsiConsole console, JsonElement guard)
    {
        var objectives = guard.GetProperty("objectives");
        if (objectives.GetArrayLength() == 0)
        {
            console.MarkupLine($"release guard: {Markup.Escape(guard.GetProperty("summary").GetString() ?? "")}");
            return;
        }

        var table = new Table().AddColumns("objective", "status", "measured", "target", "budget left", "burn rate", "detail");
        foreach (var o in objectives.EnumerateArray())
        {
            var status = o.GetProperty("status").GetString()!;
            table.AddRow(
                Markup.Escape(o.GetProperty("objective").GetString()!),
                status switch { "passed" => "[green]passed[/]", "breached" => "[red]breached[/]", _ => "[grey]no data[/]" },
                Number(o, "measured"),
                Number(o, "target"),
                Number(o, "budget_left"),
                Number(o, "burn_rate"),
                Markup.Escape(o.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : ""));
        }

        console.Write(table);
    }

    /// <summary>The API leaves out what it does not know (no data, an unbounded burn): shown as a dash.</summary>
    private static string Number(JsonElement objective, string name) =>
        objective.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble().ToString("0.####", CultureInfo.InvariantCulture) : "-";
}
