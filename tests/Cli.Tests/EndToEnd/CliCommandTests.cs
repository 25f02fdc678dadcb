using Shouldly;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

public sealed class CliCommandTests
{
    [Fact]
    public async Task Demo_FreshMachine_CompletesBothRunsAndExitsZero()
    {
        using var demo = WardenProcess.Start(null, "demo", "--data-dir", Path.Combine(Path.GetTempPath(), "warden-demo-test-" + Guid.NewGuid().ToString("N")[..8]));

        var exit = await demo.WaitForExitAsync(TimeSpan.FromMinutes(3));

        exit.ShouldBe(0, demo.Output);
        demo.Output.ShouldContain("Both runs completed.");
        demo.Output.ShouldContain("approval.approved");
        demo.Output.ShouldContain("Tokens and cost");
    }

    [Fact]
    public async Task Run_MissingGraphFile_ExitsTwoNamingTheFile()
    {
        using var run = WardenProcess.Start(null, "run", "no-such-graph.yaml");

        var exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(1));

        exit.ShouldBe(2);
        run.Output.ShouldContain("graph file 'no-such-graph.yaml' not found");
    }

    [Fact]
    public async Task Run_InvalidGraph_ExitsNonZeroWithLineAndColumn()
    {
        var dir = Path.Combine(Path.GetTempPath(), "warden-cli-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "bad.yaml");
        await File.WriteAllTextAsync(file, "name: bad\nnodes:\n  - id: a\n    role: wizard\n    prompt: hi\n");
        using var run = WardenProcess.Start(null, "run", file, "--data-dir", Path.Combine(dir, "data"));

        var exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(1));

        exit.ShouldBe(1);
        run.Output.ShouldContain("unknown role 'wizard'");
        run.Output.ShouldContain("line 4");
    }

    [Fact]
    public async Task Run_GraphInProcessWithApprove_CompletesAndPrintsOutput()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(repo.FullName, "Functions.sln")))
        {
            repo = repo.Parent!;
        }

        using var run = WardenProcess.Start(
            null,
            "run",
            Path.Combine(repo.FullName, "examples", "ops-copilot.yaml"),
            "--input",
            """{"request":"restart the cache"}""",
            "--approve",
            "--data-dir",
            Path.Combine(Path.GetTempPath(), "warden-cli-" + Guid.NewGuid().ToString("N")[..8]));

        var exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(2));

        exit.ShouldBe(0, run.Output);
        run.Output.ShouldContain("Output");
        run.Output.ShouldContain("run.completed");
    }
}
