using System.Text.Json;
using Shouldly;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>`warden release`, `releases` and `rollback` as a user runs them: the real process against a real `warden serve`.</summary>
public sealed class ReleaseEndToEndTests
{
    private const string V1 = """
        name: shipped
        nodes:
          - { id: plan, role: planner, prompt: "plan {{input.task}}" }
        edges: []
        """;

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "warden-e2e-release-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public async Task ReleaseThenRollback_AgainstServer_ChannelsMoveAndExitCodesSayWhatHappened()
    {
        // Arrange
        using var server = await WardenServer.StartAsync(_dataDir);
        await server.UploadAsync(V1);
        await server.UploadAsync(V1.Replace("plan {{input.task}}", "plan carefully {{input.task}}", StringComparison.Ordinal));
        var url = server.Http.BaseAddress!.ToString();
        string[] remote = ["--server", url, "--api-key", WardenServer.Key];

        // Act
        var first = await RunAsync(["release", "shipped", "--version", "1", "--channel", "active", "--reason", "first release", .. remote]);
        var second = await RunAsync(["release", "shipped", "--version", "2", "--channel", "active", .. remote]);
        var onV2 = await server.StartRunAsync("shipped", """{"input":{"task":"x"}}""");
        var back = await RunAsync(["rollback", "shipped", "--reason", "v2 plans badly", .. remote]);
        var onV1 = await server.StartRunAsync("shipped", """{"input":{"task":"x"}}""");
        var again = await RunAsync(["rollback", "shipped", .. remote]);
        var list = await RunAsync(["releases", "shipped", .. remote]);
        var bad = await RunAsync(["release", "shipped", "--channel", "active", .. remote]);

        // Assert
        first.Exit.ShouldBe(0, first.Output);
        first.Output.ShouldContain("released shipped v1");
        second.Exit.ShouldBe(0, second.Output);
        (await server.WaitForEndAsync(onV2)).GetProperty("graph_version").GetInt64().ShouldBe(2);
        back.Exit.ShouldBe(0, back.Output);
        back.Output.ShouldContain("active is now v1");
        (await server.WaitForEndAsync(onV1)).GetProperty("graph_version").GetInt64().ShouldBe(1);
        again.Exit.ShouldBe(1, again.Output);
        again.Output.ShouldContain("NOTHING_TO_ROLL_BACK");
        list.Exit.ShouldBe(0, list.Output);
        list.Output.ShouldContain("rollback");
        list.Output.ShouldContain("v2 plans badly");
        bad.Exit.ShouldBe(2, bad.Output);
        bad.Output.ShouldContain("exactly one of --version N or --snapshot ID");
        var audit = JsonDocument.Parse(await server.Http.GetStringAsync("/api/v1/audit?action=release.*")).RootElement;
        audit.GetProperty("items").GetArrayLength().ShouldBe(3);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string[] args)
    {
        using var process = WardenProcess.Start(null, args);
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(1));
        return (exit, process.Output);
    }
}
