using System.Text.Json;
using Shouldly;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>`warden eval` as a user runs it: the real process comparing two versions on a real `warden serve`.</summary>
public sealed class EvalEndToEndTests
{
    private const string V1 = """
        name: evaluated
        nodes:
          - { id: plan, role: planner, prompt: "plan {{input.task}}" }
        edges: []
        """;

    private const string Suite = """
        name: eval-suite
        graph: { id: evaluated }
        cases:
          - name: plans
            input: { task: ship the release }
            assert:
              - status: completed
              - contains: "Plan for"
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "warden-e2e-eval-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public async Task Eval_TwoVersions_SideBySideJsonAndMarkdown_BadCompareExitsTwo()
    {
        // Arrange: v2 fails its only step, so the comparison has something to show
        using var server = await WardenServer.StartAsync(Path.Combine(_dir, "data"));
        await server.UploadAsync(V1);
        await server.UploadAsync(V1.Replace("\"plan {{input.task}}\" }", "\"plan {{input.task}}\", mock: { error_rate: 1 }, retries: 0 }", StringComparison.Ordinal));
        var suite = Path.Combine(_dir, "eval.suite.yaml");
        await File.WriteAllTextAsync(suite, Suite);
        var json = Path.Combine(_dir, "eval.json");
        var markdown = Path.Combine(_dir, "eval.md");
        string[] remote = ["--server", server.Http.BaseAddress!.ToString(), "--api-key", WardenServer.Key];

        // Act
        using var eval = WardenProcess.Start(null, ["eval", suite, "--compare", "1", "2", "--json", json, "--markdown", markdown, .. remote]);
        var exit = await eval.WaitForExitAsync(TimeSpan.FromMinutes(2));
        using var bad = WardenProcess.Start(null, ["eval", suite, "--compare", "1", "latest", .. remote]);
        var badExit = await bad.WaitForExitAsync(TimeSpan.FromMinutes(1));

        // Assert
        exit.ShouldBe(0, eval.Output);
        eval.Output.ShouldContain("pass rate");
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement;
        report.GetProperty("a").GetProperty("pass_rate").GetDouble().ShouldBe(1.0);
        report.GetProperty("b").GetProperty("pass_rate").GetDouble().ShouldBe(0.0);
        report.GetProperty("b").GetProperty("assertions_failed").GetInt32().ShouldBeGreaterThan(0);
        (await File.ReadAllTextAsync(markdown)).ShouldContain("| pass rate | 100% | 0% |");
        badExit.ShouldBe(2, bad.Output);
        bad.Output.ShouldContain("--compare B must be a graph version");
    }

    [Fact]
    public async Task Eval_GovernedAgainstBaseline_BaselineRunsUnscreened()
    {
        // Arrange: the input carries an email address, which governance redacts before the provider sees it
        using var server = await WardenServer.StartAsync(Path.Combine(_dir, "data"));
        await server.UploadAsync(V1);
        var suite = Path.Combine(_dir, "eval.suite.yaml");
        await File.WriteAllTextAsync(suite, Suite.Replace("ship the release", "mail jane.doe@example.com the release notes", StringComparison.Ordinal));
        var json = Path.Combine(_dir, "eval.json");

        // Act
        using var eval = WardenProcess.Start(null, ["eval", suite, "--compare", "governed", "baseline", "--json", json, "--server", server.Http.BaseAddress!.ToString(), "--api-key", WardenServer.Key]);
        var exit = await eval.WaitForExitAsync(TimeSpan.FromMinutes(2));

        // Assert
        exit.ShouldBe(0, eval.Output);
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement;
        report.GetProperty("a").GetProperty("label").GetString().ShouldBe("governed");
        report.GetProperty("a").GetProperty("incidents").GetProperty("redactions").GetInt32().ShouldBeGreaterThan(0);
        report.GetProperty("b").GetProperty("incidents").GetProperty("redactions").GetInt32().ShouldBe(0);
        var audit = JsonDocument.Parse(await server.Http.GetStringAsync("/api/v1/audit?action=run.ungoverned")).RootElement;
        audit.GetProperty("items").GetArrayLength().ShouldBe(1);
    }
}
