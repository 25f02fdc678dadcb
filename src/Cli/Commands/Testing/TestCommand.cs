using Spectre.Console;
using Warden.Cli.Client;
using Warden.Core.Testing;
using Warden.Runtime.Storage;

namespace Warden.Cli.Commands.Testing;

/// <summary>
/// `warden test`: runs every case of one suite or a folder of suites as ordinary runs (in-process on the embedded
/// engine, or against --server), prints live progress and a results table, writes JUnit/JSON when asked.
/// Exit 0 when every assertion holds, 1 on any failure, 2 on a bad suite: the CI gate.
/// </summary>
public static class TestCommand
{
    public sealed record Args(string Path, string? JUnit, string? Json, int Parallel, string? Filter);

    public static async Task<int> RunAsync(Args args, Target target, IAnsiConsole console, CancellationToken ct)
    {
        if (args.Parallel < 1)
        {
            throw new CliException("--parallel must be at least 1", 2);
        }

        var suites = await SuiteFiles.LoadAsync(args.Path, ct);
        LocalWarden? local = null;
        var client = target.IsRemote ? target.Connect() : (local = await LocalWarden.StartAsync(target.DataDirectory, SqliteSynchronous.Normal, ct)).Client;
        try
        {
            var results = new List<SuiteResult>();
            foreach (var loaded in suites)
            {
                results.Add(await RunSuiteAsync(loaded, client, target.IsRemote, args, console, ct));
            }

            TestReports.Table(console, results);
            if (args.JUnit is not null)
            {
                await TestReports.WriteJUnitAsync(args.JUnit, results, ct);
                console.MarkupLine($"JUnit report: {Markup.Escape(args.JUnit)}");
            }

            if (args.Json is not null)
            {
                await TestReports.WriteJsonAsync(args.Json, results, ct);
                console.MarkupLine($"JSON report: {Markup.Escape(args.Json)}");
            }

            return results.All(r => r.Passed) ? 0 : 1;
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

    private static async Task<SuiteResult> RunSuiteAsync(LoadedSuite loaded, WardenClient client, bool remote, Args args, IAnsiConsole console, CancellationToken ct)
    {
        var suite = loaded.Suite;
        string graphId;
        long? version = suite.Graph.Version;
        if (loaded.GraphYaml is { } yaml)
        {
            var graph = await client.UploadGraphAsync(yaml, ct);
            graphId = graph.GetProperty("graph_id").GetString()!;
            version = graph.GetProperty("version").GetInt64();
        }
        else
        {
            graphId = suite.Graph.Id!;
        }

        return await RunCasesAsync(loaded, client, graphId, version, args.Parallel, args.Filter, console, ct, remote);
    }

    /// <summary>Runs a suite's cases (those matching <paramref name="filter"/>) against one graph version, printing progress.</summary>
    /// <param name="remote">The client talks to a server this process cannot kill, so crash cases are errors.</param>
    public static async Task<SuiteResult> RunCasesAsync(LoadedSuite loaded, WardenClient client, string graphId, long? version, int parallel, string? filter, IAnsiConsole console, CancellationToken ct, bool remote = false)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        var suite = loaded.Suite;
        var cases = suite.Cases.Where(c => filter is null || c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
        console.MarkupLine($"[bold]{Markup.Escape(suite.Name)}[/] ({Markup.Escape(loaded.Path)}): {cases.Count} case(s) on graph {Markup.Escape(graphId)}{(version is null ? string.Empty : $" v{version}")}");
        var gate = new object();
        var runner = new CaseRunner(client, TimeSpan.FromMinutes(10)) { BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(loaded.Path)) ?? "." };
        var crashes = new CrashCaseRunner(TimeSpan.FromMinutes(10), line => Print(console, gate, $"  [yellow]⚡[/] {Markup.Escape(line)}"));
        using var slots = new SemaphoreSlim(parallel);
        var tasks = cases.Select(async c =>
        {
            await slots.WaitAsync(ct);
            try
            {
                var result = CrashCaseRunner.CrashAfterSteps(c) is null
                    ? await runner.RunAsync(c, suite.Name, graphId, version, runId => Print(console, gate, $"  [blue]…[/] {Markup.Escape(c.Name)} started run {Markup.Escape(runId)}"), ct)
                    : remote ? SuiteEvaluator.Errored(c, null, RemoteCrash)
                    : loaded.GraphYaml is not { } yaml ? SuiteEvaluator.Errored(c, null, "a crash case needs the suite's graph as a file (graph: {file: ...}) to upload to the engine it kills")
                    : await crashes.RunAsync(c, suite.Name, yaml, ct);
                Print(console, gate, result.Passed
                    ? $"  [green]✔[/] {Markup.Escape(c.Name)}: {result.Assertions.Count} assertion(s) hold ({result.Status}, {result.DurationMs} ms)"
                    : $"  [red]✘[/] {Markup.Escape(c.Name)}: {Markup.Escape(result.Error ?? $"{result.Failures.Count()} of {result.Assertions.Count} assertion(s) failed")} ({result.Status})");
                return result;
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        var finished = await Task.WhenAll(tasks);
        return new SuiteResult(suite.Name, graphId, version, finished);
    }

    private const string RemoteCrash =
        "chaos.crash_after_steps kills the engine's process, and a remote server cannot be killed (nor should it be): run this case without --server";

    private static void Print(IAnsiConsole console, object gate, string markup)
    {
        lock (gate)
        {
            console.MarkupLine(markup);
        }
    }
}
