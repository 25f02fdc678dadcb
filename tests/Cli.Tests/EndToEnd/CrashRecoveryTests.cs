using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shouldly;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>`warden serve` killed with SIGKILL mid-run, then started again on the same data directory.</summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const string Key = "e2e-admin-key";
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

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: temp files are reclaimed by the OS anyway.
        }
    }

    [Fact]
    public async Task Serve_KilledMidRunAndRestarted_RunCompletesWithEveryNodeCompletedOnce()
    {
        var port = WardenProcess.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("X-API-Key", Key);

        string runId;
        JsonElement beforeKill;
        using (var first = StartServer(port))
        {
            await WaitHealthyAsync(http, first);
            (await http.PostAsync("/api/v1/graphs", new StringContent(SlowGraph, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();
            var started = await (await http.PostAsync("/api/v1/graphs/slow-chain/runs", new StringContent("""{"input":{"task":"x"}}""", Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>();
            runId = started.GetProperty("run_id").GetString()!;
            beforeKill = await WaitForAsync(http, runId, run => NodeStatus(run, "n1") == "succeeded" && NodeStatus(run, "n2") == "running");
            first.KillHard();
        }

        using var second = StartServer(port);
        await WaitHealthyAsync(http, second);
        var after = await WaitForAsync(http, runId, run => run.GetProperty("status").GetString() is "completed" or "failed" or "stopped", timeoutSeconds: 60);
        var events = await http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}/events?limit=1000");

        beforeKill.GetProperty("status").GetString().ShouldBe("running");
        after.GetProperty("status").GetString().ShouldBe("completed", second.Output);
        var completed = events.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "node.completed")
            .Select(e => e.GetProperty("node_id").GetString())
            .ToList();
        completed.ShouldBe(["n1", "n2", "n3", "n4"]);
        second.Output.ShouldContain("resumed 1 node executions");
    }

    [Fact]
    public async Task Serve_SecondServerOnSameDataDirectory_RefusesWithMessage()
    {
        var port = WardenProcess.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var first = StartServer(port);
        await WaitHealthyAsync(http, first);

        using var second = StartServer(WardenProcess.FreePort());
        var exit = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));

        exit.ShouldNotBe(0);
        second.Output.ShouldContain("in use by another Warden engine");
    }

    private WardenProcess StartServer(int port) =>
        WardenProcess.Start(
            new Dictionary<string, string> { ["WARDEN_BOOTSTRAP_API_KEY"] = Key, ["WARDEN_DATA_DIR"] = _dataDir },
            "serve",
            "--urls",
            $"http://127.0.0.1:{port}");

    private static string? NodeStatus(JsonElement run, string node) =>
        run.GetProperty("nodes").EnumerateArray().First(n => n.GetProperty("node_id").GetString() == node).GetProperty("status").GetString();

    private static async Task WaitHealthyAsync(HttpClient http, WardenProcess server)
    {
        for (var i = 0; i < 300; i++)
        {
            server.HasExited.ShouldBeFalse($"warden serve exited early:\n{server.Output}");
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"warden serve did not become healthy:\n{server.Output}");
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient http, string runId, Func<JsonElement, bool> condition, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        JsonElement run = default;
        while (DateTime.UtcNow < deadline)
        {
            run = await http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}");
            if (condition(run))
            {
                return run;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"run {runId} did not reach the expected state: {run}");
    }
}
