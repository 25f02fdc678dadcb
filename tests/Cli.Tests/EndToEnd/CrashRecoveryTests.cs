using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>`warden serve` killed with SIGKILL mid-run, then started again on the same data directory.</summary>
public sealed class CrashRecoveryTests
{
    private const string SlowGraph = """
        name: slow-chain
        defaults:
          retries: 1
        nodes:
          - { id: n1, role: researcher, prompt: "research {{input.task}}", mock: { latency_ms: 800 } }
          - { id: n2, role: planner, prompt: "plan {{nodes.n1.output}}", mock: { latency_ms: 800 } }
          - { id: n3, role: coder, prompt: "code {{nodes.n2.output}}", mock: { latency_ms: 800 } }
          - { id: n4, role: finalizer, prompt: "sum {{upstream}}", mock: { latency_ms: 800 } }
        edges: [ "n1 -> n2", "n2 -> n3", "n3 -> n4" ]
        """;

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "warden-e2e-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public async Task Serve_KilledMidRunAndRestarted_RunCompletesWithEveryNodeCompletedOnce()
    {
        string runId;
        JsonElement beforeKill;
        int port;
        using (var first = await WardenServer.StartAsync(_dataDir))
        {
            port = first.Port;
            await first.UploadAsync(SlowGraph);
            runId = await first.StartRunAsync("slow-chain");
            beforeKill = await first.WaitForAsync(runId, run => WardenServer.NodeStatus(run, "n1") == "succeeded" && WardenServer.NodeStatus(run, "n2") == "running");
            first.Kill();
        }

        using var second = await WardenServer.StartAsync(_dataDir, port: port);
        var after = await second.WaitForEndAsync(runId, timeoutSeconds: 60);
        var events = await second.Http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}/events?limit=1000");

        beforeKill.GetProperty("status").GetString().ShouldBe("running");
        after.GetProperty("status").GetString().ShouldBe("completed", second.Process.Output);
        var completed = events.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "node.completed")
            .Select(e => e.GetProperty("node_id").GetString())
            .ToList();
        completed.ShouldBe(["n1", "n2", "n3", "n4"]);
        second.Process.Output.ShouldContain("resumed 1 node executions");
    }

    [Fact]
    public async Task Serve_SecondServerOnSameDataDirectory_RefusesWithMessage()
    {
        using var first = await WardenServer.StartAsync(_dataDir);

        using var second = WardenProcess.Start(
            new Dictionary<string, string> { ["WARDEN_DATA_DIR"] = _dataDir },
            "serve",
            "--urls",
            $"http://127.0.0.1:{WardenProcess.FreePort()}");
        var exit = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));

        exit.ShouldNotBe(0);
        second.Output.ShouldContain("in use by another Warden engine");
    }
}
