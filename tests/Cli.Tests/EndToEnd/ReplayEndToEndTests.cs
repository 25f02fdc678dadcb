using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>
/// Recordings as CI uses them, with the real `warden` process: a run calls a provider (a local server speaking OpenAI's
/// wire format), `runs export` writes it as a file, and `warden test` replays that file against a changed graph version
/// on another data directory with no provider key configured at all.
/// </summary>
public sealed partial class ReplayEndToEndTests
{
    private const string Source = """
        name: replay-e2e
        defaults: { retries: 0, provider: openai, model: gpt-4o-mini }
        nodes:
          - { id: plan, role: planner, prompt: "Plan {{input.task}}" }
          - { id: write, role: writer, prompt: "Write up {{nodes.plan.output}}" }
        edges: [ "plan -> write" ]
        """;

    /// <summary>The candidate keeps both prompts and adds a mock-provider check step, which no recording answers.</summary>
    private const string Candidate = """
        name: replay-e2e
        defaults: { retries: 0, provider: openai, model: gpt-4o-mini }
        nodes:
          - { id: plan, role: planner, prompt: "Plan {{input.task}}" }
          - { id: write, role: writer, prompt: "Write up {{nodes.plan.output}}" }
          - { id: check, role: reviewer, provider: mock, model: mock-1, prompt: "Check {{nodes.write.output}}" }
        edges: [ "plan -> write", "write -> check" ]
        """;

    [Fact]
    public async Task ExportThenTest_RecordingAgainstChangedVersion_PassesWithNoProviderKey()
    {
        // Arrange: the source run, on its provider.
        var dir = Directory.CreateTempSubdirectory("warden-replay-").FullName;
        await using var openai = await FakeOpenAi.StartAsync();
        openai.Failing = false;
        var sourceData = Path.Combine(dir, "prod");
        await File.WriteAllTextAsync(Path.Combine(dir, "source.yaml"), Source);
        await File.WriteAllTextAsync(Path.Combine(dir, "candidate.yaml"), Candidate);
        var keys = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-e2e-not-a-real-key", ["OPENAI_BASE_URL"] = openai.BaseUrl };
        using (var run = WardenProcess.Start(keys, "run", Path.Combine(dir, "source.yaml"), "--input", """{"task":"a launch checklist"}""", "--seed", "11", "--data-dir", sourceData))
        {
            (await run.WaitForExitAsync(TimeSpan.FromMinutes(2))).ShouldBe(0, run.Output);
        }

        var requests = openai.Requests;
        requests.ShouldBe(2);
        using var listed = WardenProcess.Start(null, "runs", "list", "--data-dir", sourceData);
        (await listed.WaitForExitAsync(TimeSpan.FromMinutes(1))).ShouldBe(0, listed.Output);
        var runId = RunId().Match(listed.Output).Value;
        await File.WriteAllTextAsync(Path.Combine(dir, "replay.suite.yaml"), """
            name: replay
            graph: { file: candidate.yaml }
            cases:
              - name: recorded steps replay, the new one calls its mock
                recording: recordings/prod.json
                on_miss: call
                assert:
                  - status: completed
                  - provider: replay
                    node: write
                  - provider: mock
                    node: check
              - name: strict replay stops at the first step with no recording
                recording: recordings/prod.json
                assert:
                  - status: failed
                    error_code: REPLAY_MISS
            """);

        // Act
        using var export = WardenProcess.Start(null, "runs", "export", runId, "--out", Path.Combine(dir, "recordings", "prod.json"), "--data-dir", sourceData);
        var exported = await export.WaitForExitAsync(TimeSpan.FromMinutes(1));
        using var exact = WardenProcess.Start(null, "replay", runId, "--data-dir", sourceData);
        var replayed = await exact.WaitForExitAsync(TimeSpan.FromMinutes(1));
        using var test = WardenProcess.Start(null, "test", Path.Combine(dir, "replay.suite.yaml"), "--data-dir", Path.Combine(dir, "ci"));
        var tested = await test.WaitForExitAsync(TimeSpan.FromMinutes(2));

        // Assert
        exported.ShouldBe(0, export.Output);
        File.ReadAllText(Path.Combine(dir, "recordings", "prod.json")).ShouldContain("\"prompt_hash\"");
        replayed.ShouldBe(0, exact.Output);
        exact.Output.ShouldContain("identical");
        tested.ShouldBe(0, test.Output);
        test.Output.ShouldContain("2/2 cases passed");
        openai.Requests.ShouldBe(requests);
    }

    [Fact]
    public async Task Replay_CandidateVersionOnSameDataDirectory_ExitsZeroWithCounts()
    {
        // Arrange
        var dir = Directory.CreateTempSubdirectory("warden-replay-").FullName;
        var data = Path.Combine(dir, "data");
        var graph = Path.Combine(Repo(), "examples", "research-to-code.yaml");
        using (var run = WardenProcess.Start(null, "run", graph, "--input", """{"task":"a csv export"}""", "--seed", "4", "--data-dir", data))
        {
            (await run.WaitForExitAsync(TimeSpan.FromMinutes(2))).ShouldBe(0, run.Output);
        }

        using var listed = WardenProcess.Start(null, "runs", "list", "--data-dir", data);
        await listed.WaitForExitAsync(TimeSpan.FromMinutes(1));
        var runId = RunId().Match(listed.Output).Value;

        // Act
        using var replay = WardenProcess.Start(null, "replay", runId, "--version", "1", "--on-miss", "fail", "--data-dir", data);
        var exit = await replay.WaitForExitAsync(TimeSpan.FromMinutes(2));

        // Assert
        exit.ShouldBe(0, replay.Output);
        replay.Output.ShouldContain("completed");
        replay.Output.ShouldContain("replayed 5, called 0, missed 0");
        replay.Output.ShouldContain($"warden runs diff {runId}");
    }

    [GeneratedRegex("run_[0-9a-f]{20}")]
    private static partial Regex RunId();

    private static string Repo()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(repo.FullName, "Functions.sln")))
        {
            repo = repo.Parent!;
        }

        return repo.FullName;
    }
}
