using System.CommandLine;
using Spectre.Console;
using Warden.Cli.Client;
using Warden.Cli.Commands;
using Warden.Cli.Commands.Testing;
using Warden.Runtime.Hosting;

var console = AnsiConsole.Create(new AnsiConsoleSettings
{
    Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
    ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
});
if (Console.IsOutputRedirected)
{
    // Logs and CI capture output: keep tables readable instead of wrapping at 80 columns.
    console.Profile.Width = Math.Max(console.Profile.Width, 140);
}

var dataDir = new Option<string?>("--data-dir") { Description = "Data directory for the embedded store (env WARDEN_DATA_DIR, default ./.warden)" };
var server = new Option<string?>("--server") { Description = "Talk to a Warden server at this URL instead of running in-process (env WARDEN_SERVER)" };
var apiKey = new Option<string?>("--api-key") { Description = "API key for --server (env WARDEN_API_KEY)" };

var root = new RootCommand("Warden: durable, governed, testable multi-agent workflows");

var demo = new Command("demo", "Run both example graphs on the embedded engine with the mock provider");
demo.Options.Add(dataDir);
demo.SetAction((parse, ct) => Guard(() => DemoCommand.RunAsync(parse.GetValue(dataDir), console, ct)));
root.Subcommands.Add(demo);

var urls = new Option<string?>("--urls") { Description = $"Listen address (env WARDEN_URL, default {WardenSettings.DefaultUrl})" };
var synchronous = new Option<string?>("--synchronous") { Description = "SQLite synchronous mode: FULL (default) or NORMAL (env WARDEN_SQLITE_SYNCHRONOUS)" };
var store = new Option<string?>("--store") { Description = "sqlite (default) or a PostgreSQL connection string (postgres://user:password@host:port/db) for tenants, graphs, catalog, audit and the API rate limit (env WARDEN_STORE)" };
var serve = new Command("serve", "Host the HTTP API and the embedded engine on Kestrel");
serve.Options.Add(dataDir);
serve.Options.Add(urls);
serve.Options.Add(synchronous);
serve.Options.Add(store);
serve.SetAction((parse, ct) => Guard(() => ServeCommand.RunAsync(parse.GetValue(dataDir), parse.GetValue(urls), parse.GetValue(synchronous), parse.GetValue(store), console, ct)));
root.Subcommands.Add(serve);

var graphFile = new Argument<string>("graph") { Description = "Path to a graph YAML or JSON file" };
var input = new Option<string?>("--input") { Description = "Run input as JSON, e.g. '{\"task\":\"...\"}'" };
var seed = new Option<long?>("--seed") { Description = "Seed for reproducible mock output and retry jitter" };
var approve = new Option<bool>("--approve") { Description = "Approve every approval gate automatically (in-process runs)" };
var run = new Command("run", "Upload a graph and run it, following its progress");
run.Arguments.Add(graphFile);
run.Options.Add(input);
run.Options.Add(seed);
run.Options.Add(approve);
AddTargetOptions(run);
run.SetAction((parse, ct) => Guard(() => RunCommand.RunAsync(
    new RunCommand.Args(parse.GetRequiredValue(graphFile), parse.GetValue(input), parse.GetValue(seed), parse.GetValue(approve)),
    Target(parse),
    console,
    ct)));
root.Subcommands.Add(run);

var suitePath = new Argument<string>("suite") { Description = "A suite YAML/JSON file, or a folder of them" };
var junit = new Option<string?>("--junit") { Description = "Write a JUnit XML report to this file" };
var jsonReport = new Option<string?>("--json") { Description = "Write a JSON report to this file" };
var parallel = new Option<int>("--parallel") { Description = "How many cases run at once", DefaultValueFactory = _ => 4 };
var filter = new Option<string?>("--filter") { Description = "Only cases whose name contains this text" };
var test = new Command("test", "Run test suites against graphs; exit 0 when every assertion holds, 1 on a failure, 2 on a bad suite");
test.Arguments.Add(suitePath);
test.Options.Add(junit);
test.Options.Add(jsonReport);
test.Options.Add(parallel);
test.Options.Add(filter);
AddTargetOptions(test);
test.SetAction((parse, ct) => Guard(() => TestCommand.RunAsync(
    new TestCommand.Args(parse.GetRequiredValue(suitePath), parse.GetValue(junit), parse.GetValue(jsonReport), parse.GetValue(parallel), parse.GetValue(filter)),
    Target(parse),
    console,
    ct)));
root.Subcommands.Add(test);

var evalSuite = new Argument<string>("suite") { Description = "A suite YAML/JSON file" };
var compare = new Option<string[]>("--compare") { Description = "The two graph versions to compare (--compare 1 2), or governance on and off for one version (--compare governed baseline; baseline needs an admin key)", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true, Required = true };
var markdown = new Option<string?>("--markdown") { Description = "Write the side-by-side table as markdown to this file" };
var evalJson = new Option<string?>("--json") { Description = "Write the comparison as JSON to this file" };
var eval = new Command("eval", "Run one suite against two graph versions and compare pass rate, incidents, cost, tokens and latency side by side");
eval.Arguments.Add(evalSuite);
eval.Options.Add(compare);
eval.Options.Add(markdown);
eval.Options.Add(evalJson);
var evalVersion = new Option<long?>("--version") { Description = "With --compare governed baseline: the version both sides run (default the latest)" };
eval.Options.Add(parallel);
eval.Options.Add(evalVersion);
AddTargetOptions(eval);
eval.SetAction((parse, ct) => Guard(() =>
{
    var versions = parse.GetRequiredValue(compare);
    return Warden.Cli.Commands.Testing.EvalCommand.RunAsync(
        new(parse.GetRequiredValue(evalSuite), versions[0], versions[1], parse.GetValue(markdown), parse.GetValue(evalJson), parse.GetValue(parallel), parse.GetValue(evalVersion)), Target(parse), console, ct);
}));
root.Subcommands.Add(eval);

var runs = new Command("runs", "List and inspect runs");
var graphFilter = new Option<string?>("--graph") { Description = "Only runs of this graph" };
var statusFilter = new Option<string?>("--status") { Description = "Only runs in this status (running, paused, completed, failed, stopped)" };
var limit = new Option<int>("--limit") { Description = "How many runs to show", DefaultValueFactory = _ => 20 };
var list = new Command("list", "List recent runs");
list.Options.Add(graphFilter);
list.Options.Add(statusFilter);
list.Options.Add(limit);
AddTargetOptions(list);
list.SetAction((parse, ct) => Guard(() => RunsCommands.ListAsync(Target(parse), parse.GetValue(graphFilter), parse.GetValue(statusFilter), parse.GetValue(limit), console, ct)));
var runId = new Argument<string>("run-id") { Description = "The run's id (run_...)" };
var show = new Command("show", "Show a run: status, nodes, output, usage and timeline");
show.Arguments.Add(runId);
AddTargetOptions(show);
show.SetAction((parse, ct) => Guard(() => RunsCommands.ShowAsync(Target(parse), parse.GetRequiredValue(runId), console, ct)));
var diffA = new Argument<string>("run-a") { Description = "The baseline run" };
var diffB = new Argument<string>("run-b") { Description = "The run to compare with it" };
var diffJson = new Option<bool>("--json") { Description = "Print the API's JSON instead of the summary" };
var diff = new Command("diff", "Compare two runs: paths, per-node output diffs and similarity, status, usage and governance");
diff.Arguments.Add(diffA);
diff.Arguments.Add(diffB);
diff.Options.Add(diffJson);
AddTargetOptions(diff);
diff.SetAction((parse, ct) => Guard(() => RunDiffCommand.RunAsync(Target(parse), parse.GetRequiredValue(diffA), parse.GetRequiredValue(diffB), parse.GetValue(diffJson), console, ct)));
var exportOut = new Option<string?>("--out") { Description = "Write the recording to this file instead of the output" };
var export = new Command("export", "Write a run's recording (its start, every provider and tool response, the decider's inputs) as JSON");
export.Arguments.Add(runId);
export.Options.Add(exportOut);
AddTargetOptions(export);
export.SetAction((parse, ct) => Guard(() => ReplayCommands.ExportAsync(Target(parse), parse.GetRequiredValue(runId), parse.GetValue(exportOut), console, ct)));
runs.Subcommands.Add(list);
runs.Subcommands.Add(show);
runs.Subcommands.Add(diff);
runs.Subcommands.Add(export);
root.Subcommands.Add(runs);

var releaseGraph = new Argument<string>("graph") { Description = "The graph's id" };
var releasesList = new Command("releases", "Show where a graph's active and candidate channels point, and every release and rollback");
releasesList.Arguments.Add(releaseGraph);
AddTargetOptions(releasesList);
releasesList.SetAction((parse, ct) => Guard(() => ReleaseCommands.ListAsync(Target(parse), parse.GetRequiredValue(releaseGraph), console, ct)));
root.Subcommands.Add(releasesList);
var releaseVersion = new Option<long?>("--version") { Description = "Release this graph version (snapshotted with the catalogue as it is now)" };
var releaseSnapshot = new Option<string?>("--snapshot") { Description = "Release this snapshot (snap_...)" };
var releaseChannel = new Option<string>("--channel") { Description = "active or candidate", DefaultValueFactory = _ => "candidate" };
var releaseReason = new Option<string?>("--reason") { Description = "Why; kept in the release history and the audit log" };
var release = new Command("release", "Point a graph's channel (candidate by default) at a version or snapshot");
release.Arguments.Add(releaseGraph);
release.Options.Add(releaseVersion);
release.Options.Add(releaseSnapshot);
release.Options.Add(releaseChannel);
release.Options.Add(releaseReason);
AddTargetOptions(release);
release.SetAction((parse, ct) => Guard(() => ReleaseCommands.ReleaseAsync(
    Target(parse), parse.GetRequiredValue(releaseGraph), parse.GetValue(releaseVersion), parse.GetValue(releaseSnapshot), parse.GetValue(releaseChannel)!, parse.GetValue(releaseReason), console, ct)));
root.Subcommands.Add(release);
var rollbackTo = new Option<string?>("--to") { Description = "Roll back to this snapshot instead of the one the current release replaced" };
var rollback = new Command("rollback", "Move a graph's active channel back to the previous (or a named) snapshot at once");
rollback.Arguments.Add(releaseGraph);
rollback.Options.Add(rollbackTo);
rollback.Options.Add(releaseReason);
AddTargetOptions(rollback);
rollback.SetAction((parse, ct) => Guard(() => ReleaseCommands.RollbackAsync(Target(parse), parse.GetRequiredValue(releaseGraph), parse.GetValue(rollbackTo), parse.GetValue(releaseReason), console, ct)));
root.Subcommands.Add(rollback);
var replayMode = new Option<string?>("--mode") { Description = "exact (re-drive the decider over the run's history) or candidate (run a version on its input, answered from its recording); default candidate with --version or --on-miss, else exact" };
replayMode.AcceptOnlyFromAmong("exact", "candidate");
var replayVersion = new Option<long?>("--version") { Description = "Candidate: the graph version to run (default the latest)" };
var onMiss = new Option<string?>("--on-miss") { Description = "Candidate: a step with no recorded response calls its provider (call, the default) or fails REPLAY_MISS (fail)" };
onMiss.AcceptOnlyFromAmong("call", "fail");
var replayJson = new Option<bool>("--json") { Description = "Print the API's JSON report" };
var replay = new Command("replay", "Replay a run: prove its history decides the same (exact), or run a candidate version answered from its recorded responses");
replay.Arguments.Add(runId);
replay.Options.Add(replayMode);
replay.Options.Add(replayVersion);
replay.Options.Add(onMiss);
replay.Options.Add(replayJson);
AddTargetOptions(replay);
replay.SetAction((parse, ct) => Guard(() => ReplayCommands.ReplayAsync(
    Target(parse),
    new ReplayCommands.ReplayArgs(parse.GetRequiredValue(runId), parse.GetValue(replayMode), parse.GetValue(replayVersion), parse.GetValue(onMiss), parse.GetValue(replayJson)),
    console,
    ct)));
root.Subcommands.Add(replay);
var promoteVersion = new Option<long?>("--version") { Description = "The graph version to promote" };
var promoteEnvironment = new Option<string?>("--environment") { Description = "Where it is promoted (staging, prod, ...); recorded with the guard verdict and the release" };
var promoteSuite = new Option<string?>("--suite") { Description = "A suite file or folder to run against the version first" };
var promoteChannel = new Option<string>("--channel") { Description = "The channel to move: active or candidate", DefaultValueFactory = _ => "active" };
var promoteParallel = new Option<int>("--parallel") { Description = "Suite cases to run at once", DefaultValueFactory = _ => 4 };
var promote = new Command("promote", "Run the suite and the release guard against a version, and move the channel only when both pass; exit 0 promoted, 1 refused, 2 bad arguments");
promote.Arguments.Add(releaseGraph);
promote.Options.Add(promoteVersion);
promote.Options.Add(promoteEnvironment);
promote.Options.Add(promoteSuite);
promote.Options.Add(promoteChannel);
promote.Options.Add(promoteParallel);
AddTargetOptions(promote);
promote.SetAction((parse, ct) => Guard(() => PromoteCommand.RunAsync(
    new PromoteCommand.Args(parse.GetRequiredValue(releaseGraph), parse.GetValue(promoteVersion), parse.GetValue(promoteEnvironment), parse.GetValue(promoteSuite), parse.GetValue(promoteChannel)!, parse.GetValue(promoteParallel)),
    Target(parse),
    console,
    ct)));
root.Subcommands.Add(promote);

var groupBy = new Option<string>("--group-by") { Description = "agent, graph, model, provider or day", DefaultValueFactory = _ => "agent" };
var days = new Option<int>("--days") { Description = "How many days back", DefaultValueFactory = _ => 30 };
var usage = new Command("usage", "LLM calls, tokens and cost, grouped");
usage.Options.Add(groupBy);
usage.Options.Add(days);
AddTargetOptions(usage);
usage.SetAction((parse, ct) => Guard(() => UsageCommand.RunAsync(Target(parse), parse.GetValue(groupBy)!, parse.GetValue(days), console, ct)));
root.Subcommands.Add(usage);

var audit = new Command("audit", "Read and verify the audit log's hash chain");
var auditTenant = new Option<string?>("--tenant") { Description = "Local store only: this tenant's chain (verify: every tenant's by default; list: demo)" };
var verify = new Command("verify", "Verify the audit hash chain; exits 1 naming the first broken row");
verify.Options.Add(auditTenant);
AddTargetOptions(verify);
verify.SetAction((parse, ct) => Guard(() => AuditCommands.VerifyAsync(Target(parse), parse.GetValue(auditTenant), console, ct)));
var actionFilter = new Option<string?>("--action") { Description = "Only this action, or a prefix ending in * (approval.*)" };
var actorFilter = new Option<string?>("--actor") { Description = "Only rows by this actor (role:key_id, or system)" };
var targetFilter = new Option<string?>("--target") { Description = "Only rows about this resource id" };
var auditLimit = new Option<int>("--limit") { Description = "How many rows to show, newest first", DefaultValueFactory = _ => 50 };
var auditList = new Command("list", "List audit rows, newest first");
auditList.Options.Add(actionFilter);
auditList.Options.Add(actorFilter);
auditList.Options.Add(targetFilter);
auditList.Options.Add(auditLimit);
auditList.Options.Add(auditTenant);
AddTargetOptions(auditList);
auditList.SetAction((parse, ct) => Guard(() => AuditCommands.ListAsync(
    Target(parse),
    new AuditCommands.ListArgs(parse.GetValue(actionFilter), parse.GetValue(actorFilter), parse.GetValue(targetFilter), parse.GetValue(auditLimit), parse.GetValue(auditTenant)),
    console,
    ct)));
audit.Subcommands.Add(verify);
audit.Subcommands.Add(auditList);
root.Subcommands.Add(audit);

return await root.Parse(args).InvokeAsync();

// Commands that act on a server (--server, --api-key) or on the local data directory.
void AddTargetOptions(Command command)
{
    command.Options.Add(dataDir);
    command.Options.Add(server);
    command.Options.Add(apiKey);
}

Target Target(ParseResult parse) => new(
    parse.GetValue(server) ?? Environment.GetEnvironmentVariable("WARDEN_SERVER"),
    parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("WARDEN_API_KEY"),
    parse.GetValue(dataDir) ?? Environment.GetEnvironmentVariable("WARDEN_DATA_DIR") ?? ".warden");

async Task<int> Guard(Func<Task<int>> action)
{
    try
    {
        return await action();
    }
    catch (CliException ex)
    {
        console.MarkupLine($"[red]error:[/] {Markup.Escape(ex.Message)}");
        return ex.ExitCode;
    }
    catch (ConfigurationException ex)
    {
        console.MarkupLine($"[red]error:[/] {Markup.Escape(ex.Message)}");
        return 2;
    }
    catch (OperationCanceledException)
    {
        return 130;
    }
}
