using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Warden.Cli.Client;
using Warden.Core.Testing;
using Warden.Runtime.Storage;

namespace Warden.Cli.Commands.Testing;

/// <summary>
/// `warden eval <suite> --compare A B`: the same suite against two graph versions, side by side: pass rate, assertions
/// failed, incidents governance blocked (PII, injection, policy), cost, tokens and p50/p95 latency, as a table, markdown
/// and JSON. Every case is an ordinary run through the API (in-process or --server), as `warden test` runs it.
/// </summary>
public static class EvalCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <param name="Version">With <c>--compare governed baseline</c>: the version both sides run (default the latest).</param>
    public sealed record Args(string Path, string A, string B, string? Markdown, string? Json, int Parallel, long? Version = null);

    /// <summary>What one side runs: a graph version (null: the latest), governed or not.</summary>
    private sealed record Spec(string Label, long? Version, bool Ungoverned);

    /// <summary>What one side of the comparison measured.</summary>
    public sealed record Side(
        string Label,
        long? Version,
        int Cases,
        int CasesPassed,
        int AssertionsFailed,
        int PiiBlocked,
        int InjectionBlocked,
        int PolicyDenied,
        int Redactions,
        long Tokens,
        decimal CostUsd,
        long P50Ms,
        long P95Ms)
    {
        public double PassRate => Cases == 0 ? 0 : Math.Round((double)CasesPassed / Cases, 4);
    }

    public static async Task<int> RunAsync(Args args, Target target, IAnsiConsole console, CancellationToken ct)
    {
        var (a, b) = Specs(args);
        if (args.Parallel < 1)
        {
            throw new CliException("--parallel must be at least 1", 2);
        }

        var suites = await SuiteFiles.LoadAsync(args.Path, ct);
        if (suites.Count != 1)
        {
            throw new CliException($"eval compares one suite; '{args.Path}' holds {suites.Count}", 2);
        }

        var loaded = suites[0];
        LocalWarden? local = null;
        var client = target.IsRemote ? target.Connect() : (local = await LocalWarden.StartAsync(target.DataDirectory, SqliteSynchronous.Normal, ct)).Client;
        try
        {
            var graphId = loaded.GraphYaml is { } yaml
                ? (await client.UploadGraphAsync(yaml, ct)).GetProperty("graph_id").GetString()!
                : loaded.Suite.Graph.Id!;
            var sideA = await MeasureAsync(client, loaded.Suite, graphId, a, args.Parallel, console, ct);
            var sideB = await MeasureAsync(client, loaded.Suite, graphId, b, args.Parallel, console, ct);
            Print(console, loaded.Suite.Name, graphId, sideA, sideB);
            if (args.Markdown is not null)
            {
                await File.WriteAllTextAsync(args.Markdown, Markdown(loaded.Suite.Name, graphId, sideA, sideB), ct);
                console.MarkupLine($"markdown: {Markup.Escape(args.Markdown)}");
            }

            if (args.Json is not null)
            {
                await File.WriteAllTextAsync(args.Json, JsonSerializer.Serialize(new { suite = loaded.Suite.Name, graph_id = graphId, a = Wire(sideA), b = Wire(sideB) }, Indented), ct);
                console.MarkupLine($"json: {Markup.Escape(args.Json)}");
            }

            return 0;
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

    private static readonly string[] GovernanceSides = ["governed", "baseline"];

    /// <summary>Two versions (<c>1 2</c>), or governance on and off for one version (<c>governed baseline</c>).</summary>
    private static (Spec A, Spec B) Specs(Args args)
    {
        var governance = GovernanceSides.Contains(args.A) || GovernanceSides.Contains(args.B);
        if (governance)
        {
            if (!GovernanceSides.Contains(args.A) || !GovernanceSides.Contains(args.B) || args.A == args.B)
            {
                throw new CliException($"--compare takes two versions (1 2) or governed baseline, not '{args.A} {args.B}'", 2);
            }

            var suffix = args.Version is { } v ? $" v{v}" : string.Empty;
            return (new Spec(args.A + suffix, args.Version, args.A == "baseline"), new Spec(args.B + suffix, args.Version, args.B == "baseline"));
        }

        if (args.Version is not null)
        {
            throw new CliException("--version goes with --compare governed baseline; two versions name themselves", 2);
        }

        var a = ParseVersion(args.A, "A");
        var b = ParseVersion(args.B, "B");
        return (new Spec($"v{a}", a, false), new Spec($"v{b}", b, false));
    }

    private static long ParseVersion(string text, string which) =>
        long.TryParse(text.TrimStart('v', 'V'), NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version >= 1
            ? version
            : throw new CliException($"--compare {which} must be a graph version (2 or v2), or governed/baseline, not '{text}'", 2);

    /// <summary>The case as the side runs it: a baseline side's runs are ungoverned (no PII, injection or tool-policy screening).</summary>
    private static SuiteCase ForSide(SuiteCase suiteCase, Spec spec)
    {
        if (!spec.Ungoverned)
        {
            return suiteCase;
        }

        var options = suiteCase.RunOptions is { } json ? System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject() : [];
        options["ungoverned"] = true;
        return suiteCase with { RunOptions = options.ToJsonString() };
    }

    private static async Task<Side> MeasureAsync(WardenClient client, SuiteDefinition suite, string graphId, Spec spec, int parallel, IAnsiConsole console, CancellationToken ct)
    {
        var (version, label) = (spec.Version, spec.Label);
        console.MarkupLine($"[bold]{Markup.Escape(suite.Name)}[/] on {Markup.Escape(graphId)} {label}: {suite.Cases.Count} case(s)");
        var runner = new CaseRunner(client, TimeSpan.FromMinutes(10));
        using var slots = new SemaphoreSlim(parallel);
        var results = await Task.WhenAll(suite.Cases.Select(async c =>
        {
            await slots.WaitAsync(ct);
            try
            {
                return await runner.RunAsync(ForSide(c, spec), suite.Name, graphId, version, null, ct);
            }
            finally
            {
                slots.Release();
            }
        }));
        int pii = 0, injection = 0, policy = 0, redactions = 0;
        long tokens = 0;
        decimal cost = 0;
        foreach (var result in results.Where(r => r.RunId is not null))
        {
            var run = await client.GetRunAsync(result.RunId!, ct);
            tokens += run.GetProperty("usage").GetProperty("total_tokens").GetInt64();
            cost += run.GetProperty("usage").GetProperty("cost_usd").GetDecimal();
            foreach (var e in (await client.GetEventsAsync(result.RunId!, 0, ct)).GetProperty("items").EnumerateArray())
            {
                switch (e.GetProperty("type").GetString())
                {
                    case "governance.blocked" when Code(e) is { } code && code.StartsWith("PII", StringComparison.Ordinal):
                        pii++;
                        break;
                    case "governance.blocked" when Code(e) is { } code && code.Contains("INJECTION", StringComparison.Ordinal):
                        injection++;
                        break;
                    case "policy.denied":
                        policy++;
                        break;
                    case "governance.redacted":
                        redactions++;
                        break;
                }
            }
        }

        var durations = results.Select(r => r.DurationMs).Order().ToList();
        return new Side(label, version, results.Length, results.Count(r => r.Passed), results.Sum(r => r.Failures.Count()), pii, injection, policy, redactions, tokens, cost, Quantile(durations, 0.5), Quantile(durations, 0.95));
    }

    private static string? Code(JsonElement e) =>
        e.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("code", out var code) ? code.GetString() : null;

    private static long Quantile(List<long> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[(int)Math.Clamp(Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static IEnumerable<(string Metric, string A, string B)> Rows(Side a, Side b) =>
    [
        ("pass rate", Percent(a.PassRate), Percent(b.PassRate)),
        ("cases passed", $"{a.CasesPassed}/{a.Cases}", $"{b.CasesPassed}/{b.Cases}"),
        ("assertions failed", Num(a.AssertionsFailed), Num(b.AssertionsFailed)),
        ("PII blocked", Num(a.PiiBlocked), Num(b.PiiBlocked)),
        ("injection blocked", Num(a.InjectionBlocked), Num(b.InjectionBlocked)),
        ("policy denied", Num(a.PolicyDenied), Num(b.PolicyDenied)),
        ("redactions", Num(a.Redactions), Num(b.Redactions)),
        ("tokens", Num(a.Tokens), Num(b.Tokens)),
        ("cost (USD)", a.CostUsd.ToString("0.######", CultureInfo.InvariantCulture), b.CostUsd.ToString("0.######", CultureInfo.InvariantCulture)),
        ("p50 latency (ms)", Num(a.P50Ms), Num(b.P50Ms)),
        ("p95 latency (ms)", Num(a.P95Ms), Num(b.P95Ms)),
    ];

    private static void Print(IAnsiConsole console, string suite, string graphId, Side a, Side b)
    {
        var table = new Table().Title($"{Markup.Escape(suite)} on {Markup.Escape(graphId)}").AddColumns("metric", a.Label, b.Label);
        foreach (var (metric, left, right) in Rows(a, b))
        {
            table.AddRow(metric, left, right);
        }

        console.Write(table);
    }

    private static string Markdown(string suite, string graphId, Side a, Side b)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {suite} on {graphId}: {a.Label} vs {b.Label}\n\n| metric | {a.Label} | {b.Label} |\n|---|---:|---:|\n");
        foreach (var (metric, left, right) in Rows(a, b))
        {
            text.Append(CultureInfo.InvariantCulture, $"| {metric} | {left} | {right} |\n");
        }

        return text.ToString();
    }

    private static object Wire(Side s) => new
    {
        label = s.Label,
        version = s.Version,
        cases = s.Cases,
        cases_passed = s.CasesPassed,
        pass_rate = s.PassRate,
        assertions_failed = s.AssertionsFailed,
        incidents = new { pii_blocked = s.PiiBlocked, injection_blocked = s.InjectionBlocked, policy_denied = s.PolicyDenied, redactions = s.Redactions },
        tokens = s.Tokens,
        cost_usd = s.CostUsd,
        latency_ms = new { p50 = s.P50Ms, p95 = s.P95Ms },
    };

    private static string Percent(double share) => share.ToString("0.#%", CultureInfo.InvariantCulture);

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
