using System.Text.Json;
using Shouldly;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>`warden promote` as a user runs it: the suite and the release guard gate the release; 0 promoted, 1 refused, 2 bad arguments.</summary>
public sealed class PromoteEndToEndTests
{
    private const string Slos = """

        slos:
          min_runs: 1
          objectives:
            - success_rate: 1.0
        """;

    private const string Good = """
        name: promoted
        defaults: { retries: 0 }
        nodes:
          - { id: plan, role: planner, prompt: "plan {{input.task}}" }
        edges: []
        """ + Slos;

    private const string Suite = """
        name: smoke
        graph: { id: promoted }
        cases:
          - name: plans
            input: { task: "ship" }
            assert:
              - status: completed
        """;

    private static readonly string Bad = Good.Replace("""prompt: "plan {{input.task}}" }""", """prompt: "plan {{input.task}}", mock: { error_rate: 1 } }""", StringComparison.Ordinal);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "warden-e2e-promote-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public async Task Promote_AgainstServer_ReleasesOnlyThroughAPassingSuiteAndGuard()
    {
        // Arrange: v1 good, v2 fails every run
        Bad.ShouldNotBe(Good);
        Directory.CreateDirectory(_dir);
        var suite = Path.Combine(_dir, "smoke.yaml");
        await File.WriteAllTextAsync(suite, Suite);
        using var server = await WardenServer.StartAsync(Path.Combine(_dir, "data"));
        await server.UploadAsync(Good);
        await server.UploadAsync(Bad);
        string[] remote = ["--server", server.Http.BaseAddress!.ToString(), "--api-key", WardenServer.Key];

        // Act
        var promoted = await RunAsync(["promote", "promoted", "--version", "1", "--environment", "prod", "--suite", suite, .. remote]);
        var suiteFails = await RunAsync(["promote", "promoted", "--version", "2", "--environment", "prod", "--suite", suite, .. remote]);
        var guardFails = await RunAsync(["promote", "promoted", "--version", "2", "--environment", "prod", .. remote]);
        var noEnvironment = await RunAsync(["promote", "promoted", "--version", "2", .. remote]);
        var noVersion = await RunAsync(["promote", "promoted", "--environment", "prod", .. remote]);
        var otherGraph = await RunAsync(["promote", "elsewhere", "--version", "1", "--environment", "prod", "--suite", suite, .. remote]);

        // Assert
        promoted.Exit.ShouldBe(0, promoted.Output);
        promoted.Output.ShouldContain("promoted promoted v1");
        promoted.Output.ShouldContain("for prod");
        suiteFails.Exit.ShouldBe(1, suiteFails.Output);
        suiteFails.Output.ShouldContain("refused: suite smoke failed on promoted v2: 1 of 1 case(s) failed (plans)");
        guardFails.Exit.ShouldBe(1, guardFails.Output);
        guardFails.Output.ShouldContain("refused: the release guard failed promoted v2 for prod: success_rate 0 vs objective 1");
        noEnvironment.Exit.ShouldBe(2, noEnvironment.Output);
        noEnvironment.Output.ShouldContain("--environment NAME");
        noVersion.Exit.ShouldBe(2, noVersion.Output);
        otherGraph.Exit.ShouldBe(2, otherGraph.Output);
        otherGraph.Output.ShouldContain("the suite tests graph 'promoted', not 'elsewhere'");
        var releases = JsonDocument.Parse(await server.Http.GetStringAsync("/api/v1/graphs/promoted/releases")).RootElement;
        releases.GetProperty("history").GetArrayLength().ShouldBe(1);
        releases.GetProperty("history")[0].GetProperty("reason").GetString().ShouldBe("promoted to prod: suite smoke and guard passed");
        var audit = JsonDocument.Parse(await server.Http.GetStringAsync("/api/v1/audit?action=release.*&limit=100")).RootElement.GetProperty("items");
        audit.EnumerateArray().Select(e => e.GetProperty("action").GetString()).Order(StringComparer.Ordinal).ShouldBe(["release.created", "release.guard_evaluated", "release.guard_evaluated"]);
    }

    [Fact]
    public async Task Promote_InProcess_GuardsAndReleasesOnTheDataDirectory()
    {
        // Arrange: a data directory with the graph in it, and no server
        var data = Path.Combine(_dir, "local");
        using (var server = await WardenServer.StartAsync(data))
        {
            await server.UploadAsync(Good);
        }

        // Act
        var promoted = await RunAsync(["promote", "promoted", "--version", "1", "--environment", "staging", "--channel", "candidate", "--data-dir", data]);
        var listed = await RunAsync(["releases", "promoted", "--data-dir", data]);
        var badChannel = await RunAsync(["promote", "promoted", "--version", "1", "--environment", "staging", "--channel", "beta", "--data-dir", data]);

        // Assert
        promoted.Exit.ShouldBe(0, promoted.Output);
        promoted.Output.ShouldContain("to candidate for staging: guard passed");
        listed.Output.ShouldContain("promoted to staging");
        badChannel.Exit.ShouldBe(2, badChannel.Output);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string[] args)
    {
        using var process = WardenProcess.Start(null, args);
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(2));
        return (exit, process.Output);
    }
}
