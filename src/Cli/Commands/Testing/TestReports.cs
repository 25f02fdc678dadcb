using System.Globalization;
using System.Text.Json;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Spectre.Console;
using Warden.Core.Testing;
using Warden.Core.Testing.Assertions;

namespace Warden.Cli.Commands.Testing;

/// <summary>What `warden test` prints and writes: the results table, JUnit XML for CI and a JSON report.</summary>
public static class TestReports
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static void Table(IAnsiConsole console, IReadOnlyList<SuiteResult> results)
    {
        var table = new Table().Title("[bold]Test results[/]").Border(TableBorder.Rounded)
            .AddColumn("suite").AddColumn("case").AddColumn("result").AddColumn("run").AddColumn("failed assertion").AddColumn("expected").AddColumn("actual");
        foreach (var suite in results)
        {
            foreach (var c in suite.Cases)
            {
                var verdict = c.Passed ? $"[green]pass[/] {c.Assertions.Count}/{c.Assertions.Count}" : $"[red]FAIL[/] {c.Assertions.Count(a => a.Passed)}/{c.Assertions.Count}";
                var failures = c.Failures.ToList();
                if (c.Error is not null)
                {
                    table.AddRow(E(suite.Suite), E(c.Name), verdict, E(c.RunId ?? "-"), "[red]error[/]", "a finished run", E(c.Error));
                }
                else if (failures.Count == 0)
                {
                    table.AddRow(E(suite.Suite), E(c.Name), verdict, E(c.RunId ?? "-"), string.Empty, string.Empty, string.Empty);
                }

                for (var i = 0; i < failures.Count; i++)
                {
                    table.AddRow(i == 0 ? E(suite.Suite) : string.Empty, i == 0 ? E(c.Name) : string.Empty, i == 0 ? verdict : string.Empty, i == 0 ? E(c.RunId ?? "-") : string.Empty, E(Where(failures[i])), E(failures[i].Expected), E(failures[i].Actual));
                }
            }
        }

        console.Write(table);

        // CI logs keep whole lines searchable where the table wraps long values.
        foreach (var suite in results)
        {
            foreach (var c in suite.Cases.Where(c => !c.Passed))
            {
                foreach (var f in c.Failures)
                {
                    console.MarkupLine($"[red]FAIL[/] {E(suite.Suite)} / {E(c.Name)}: {E(Where(f))}: expected {E(f.Expected)}, actual {E(f.Actual)}");
                }

                if (c.Error is not null)
                {
                    console.MarkupLine($"[red]ERROR[/] {E(suite.Suite)} / {E(c.Name)}: {E(c.Error)}");
                }
            }
        }

        var cases = results.Sum(r => r.Cases.Count);
        var passed = results.Sum(r => r.PassedCases);
        var assertions = results.Sum(r => r.AssertionCount);
        var failed = results.Sum(r => r.FailedAssertions);
        console.MarkupLine(passed == cases
            ? $"[green]{passed}/{cases} cases passed[/], {assertions} assertions hold"
            : $"[red]{cases - passed}/{cases} cases failed[/], {failed} of {assertions} assertions failed");
    }

    public static async Task WriteJUnitAsync(string path, IReadOnlyList<SuiteResult> results, CancellationToken ct)
    {
        var root = new XElement(
            "testsuites",
            new XAttribute("name", "warden test"),
            new XAttribute("tests", results.Sum(r => r.Cases.Count + r.Cases.Count(c => Resumed(c) is not null))),
            new XAttribute("failures", results.Sum(r => r.Cases.Count(c => c.Error is null && !c.Passed) + r.Cases.Count(c => Resumed(c) is { Passed: false }))),
            new XAttribute("errors", results.Sum(r => r.Cases.Count(c => c.Error is not null))),
            new XAttribute("time", Seconds(results.Sum(r => r.Cases.Sum(c => c.DurationMs)))),
            results.Select(suite => new XElement(
                "testsuite",
                new XAttribute("name", suite.Suite),
                new XAttribute("tests", suite.Cases.Count + suite.Cases.Count(c => Resumed(c) is not null)),
                new XAttribute("failures", suite.Cases.Count(c => c.Error is null && !c.Passed) + suite.Cases.Count(c => Resumed(c) is { Passed: false })),
                new XAttribute("errors", suite.Cases.Count(c => c.Error is not null)),
                new XAttribute("time", Seconds(suite.Cases.Sum(c => c.DurationMs))),
                suite.Cases.Select(c => new object?[]
                {
                    new XElement(
                        "testcase",
                        new XAttribute("name", c.Name),
                        new XAttribute("classname", suite.Suite),
                        new XAttribute("time", Seconds(c.DurationMs)),
                        c.Error is null ? null : new XElement("error", new XAttribute("message", c.Error), new XAttribute("type", "run")),
                        c.Failures.Select(f => new XElement(
                            "failure",
                            new XAttribute("message", $"{Where(f)}: expected {f.Expected}, actual {f.Actual}"),
                            new XAttribute("type", f.Assertion),
                            $"expected: {f.Expected}\nactual:   {f.Actual}\nrun:      {c.RunId}")),
                        new XElement("system-out", $"run {c.RunId}, status {c.Status}")),
                    ResumedCase(suite, c),
                }))));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var stream = File.Create(path);

        // No byte-order mark: some CI JUnit readers choke on one.
        await using var writer = XmlWriter.Create(stream, new XmlWriterSettings { Async = true, Indent = true, Encoding = new UTF8Encoding(false) });
        await new XDocument(new XDeclaration("1.0", "utf-8", null), root).SaveAsync(writer, ct);
    }

    public static async Task WriteJsonAsync(string path, IReadOnlyList<SuiteResult> results, CancellationToken ct)
    {
        var report = new
        {
            passed = results.All(r => r.Passed),
            suites = results.Select(r => new
            {
                suite = r.Suite,
                graph_id = r.GraphId,
                graph_version = r.GraphVersion,
                passed = r.Passed,
                cases = r.Cases.Select(c => new { c.Name, c.RunId, c.Status, c.Passed, c.DurationMs, c.Error, assertions = c.Assertions }),
            }),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, report, JsonOptions, ct);
    }

    /// <summary>A crash case's generated <c>resumed</c> assertion, or null.</summary>
    private static AssertionResult? Resumed(CaseResult c) => c.Assertions.FirstOrDefault(a => a.Assertion == ResumedCheck.Name);

    /// <summary>Proven resume is reported as its own test case, so a CI dashboard shows it beside the case it proves.</summary>
    private static XElement? ResumedCase(SuiteResult suite, CaseResult c) => Resumed(c) is not { } resumed ? null : new XElement(
        "testcase",
        new XAttribute("name", $"{c.Name} / {ResumedCheck.Name}"),
        new XAttribute("classname", suite.Suite),
        new XAttribute("time", Seconds(c.DurationMs)),
        resumed.Passed ? null : new XElement(
            "failure",
            new XAttribute("message", $"{ResumedCheck.Name}: expected {resumed.Expected}, actual {resumed.Actual}"),
            new XAttribute("type", ResumedCheck.Name)),
        new XElement("system-out", $"run {c.RunId}: {resumed.Actual}"));

    private static string Where(AssertionResult a) => a.Line > 0 ? $"{a.Assertion} (line {a.Line})" : a.Assertion;

    private static string Seconds(long ms) => (ms / 1000d).ToString("0.000", CultureInfo.InvariantCulture);

    private static string E(string text) => Markup.Escape(text);
}
