using System.Xml.Linq;
using Shouldly;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>
/// `warden test` with chaos's crash_after_steps: the real `warden` binary starts a `warden serve` of its own, the run
/// kills it (SIGKILL) after its k-th completed step, and `warden test` restarts it and proves the resume.
/// </summary>
public sealed class ChaosEndToEndTests
{
    private static readonly string Graph = Path.Combine(FindRepo(), "examples", "research-to-code.yaml");

    private static string CrashSuite(int steps) => $$"""
        name: crash
        graph: { file: {{Graph}} }
        cases:
          - name: killed and resumed
            seed: 5
            input: { task: "Add paging to the orders API" }
            chaos: { provider_error_rate: 0.2, crash_after_steps: {{steps}} }
            assert:
              - status: completed
              - order: [researcher, planner, executor, coder, finalizer]
        """;

    [Fact]
    public async Task Test_CrashAfterSteps_ChildKilledRestartedAndResumedAssertionPasses()
    {
        // Arrange
        var dir = TempDir();
        var suite = Path.Combine(dir, "crash.yaml");
        await File.WriteAllTextAsync(suite, CrashSuite(3));
        var junit = Path.Combine(dir, "junit.xml");

        // Act
        using var test = WardenProcess.Start(null, "test", suite, "--junit", junit, "--data-dir", Path.Combine(dir, "data"));
        var exit = await test.WaitForExitAsync(TimeSpan.FromMinutes(3));

        // Assert: the exit the parent observed for its child is the kill's (128 + SIGKILL), not an exception's.
        exit.ShouldBe(0, test.Output);
        test.Output.ShouldContain("killed and resumed: process killed by SIGKILL (exit 137) after step 3, restarting");
        test.Output.ShouldContain("killed and resumed: restarted, resuming run");
        test.Output.ShouldContain("1/1 cases passed, 3 assertions hold");
        var resumed = XDocument.Load(junit).Descendants("testcase").Single(t => t.Attribute("name")!.Value == "killed and resumed / resumed");
        resumed.Elements("failure").ShouldBeEmpty();
        resumed.Element("system-out")!.Value.ShouldContain("restarted, resumed: 5 step(s) completed once each");
    }

    [Fact]
    public async Task Test_CrashCaseAgainstServer_ReportedAsErrorThatARemoteServerCannotBeKilled()
    {
        // Arrange
        var dir = TempDir();
        var suite = Path.Combine(dir, "crash.yaml");
        await File.WriteAllTextAsync(suite, CrashSuite(2));
        using var server = await WardenServer.StartAsync(Path.Combine(dir, "server"));

        // Act
        using var test = WardenProcess.Start(null, "test", suite, "--server", server.Http.BaseAddress!.ToString(), "--api-key", WardenServer.Key);
        var exit = await test.WaitForExitAsync(TimeSpan.FromMinutes(2));

        // Assert
        exit.ShouldBe(1, test.Output);
        test.Output.ShouldContain("a remote server cannot be killed");
        server.Process.HasExited.ShouldBeFalse();
        (await server.Http.GetStringAsync("api/v1/runs")).ShouldNotContain("run_");
    }

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "warden-chaos-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
        {
            dir = dir.Parent;
        }

        return dir!.FullName;
    }
}
