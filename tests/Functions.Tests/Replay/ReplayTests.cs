using Shouldly;
using Warden.Core.Runs;
using Warden.Functions.Runs;
using Warden.Functions.Tests.Engines;
using Warden.Runtime.Engine;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Functions.Tests.Replay;

/// <summary>
/// Orchestrations in flight survive a deployment only if the new orchestrator code makes the decisions the old one
/// recorded. Histories recorded from real runs (Replay/Histories, recorded on the Azure Storage backend) are replayed
/// against this build's RunGraph; set WARDEN_RECORD_HISTORIES to a folder to record them again from live runs.
/// </summary>
[Collection(AzuriteServer.Collection)]
public sealed class ReplayTests(AzuriteServer azurite)
{
    public static TheoryData<string> Recorded()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Replay", "Histories"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Recorded))]
    public void Replay_RecordedHistory_CurrentOrchestratorMakesTheSameDecisions(string name)
    {
        var history = HistoryReplayer.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Replay", "Histories", name + ".json")));

        var differences = HistoryReplayer.Replay(history);

        history.Count.ShouldBeGreaterThan(10);
        differences.ShouldBeEmpty();
    }

    [Fact]
    public void Replay_OrchestratorThatSchedulesDifferently_IsReported()
    {
        var recorded = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Replay", "Histories"), "*.json").Order(StringComparer.Ordinal).First();
        var history = HistoryReplayer.Parse(File.ReadAllText(recorded));

        // A "new version" that writes its projection under another activity name: what a rename would do in flight.
        var differences = HistoryReplayer.Replay(history, () => Microsoft.DurableTask.FuncTaskOrchestrator.Create<RunGraphInput, RunResult>(async (context, input) =>
        {
            await context.CallActivityAsync("RenamedActivity", input.Start.RunId);
            return await RunGraph.RunAsync(context);
        }));

        differences.ShouldNotBeEmpty();
    }

    [Theory]
    [InlineData("sequential")]
    [InlineData("diamond")]
    [InlineData("flaky")]
    [InlineData("gate")]
    [InlineData("pause")]
    [InlineData("pricey")]
    [InlineData("chain")]
    public async Task Replay_HistoryOfALiveRun_CurrentOrchestratorMakesTheSameDecisions(string scenario)
    {
        await using var host = await DurableEngineHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>());
        var runId = await RunAsync(host, scenario);
        var client = host.Warden.Hub.Client;
        await client.WaitForInstanceCompletionAsync(runId, false, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        var json = await client.GetHistoryJsonAsync(runId);
        if (Environment.GetEnvironmentVariable("WARDEN_RECORD_HISTORIES") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, scenario + ".json"), json);
        }

        var differences = HistoryReplayer.Replay(HistoryReplayer.Parse(json));

        differences.ShouldBeEmpty();
    }

    private static async Task<string> RunAsync(DurableEngineHost host, string scenario)
    {
        switch (scenario)
        {
            case "gate":
            {
                var runId = await host.StartAsync(Scenarios.Gate(deadline: "1h", onTimeout: "fail"));
                var deadline = DateTime.UtcNow.AddSeconds(60);
                IReadOnlyList<Runtime.Storage.ApprovalRecord> pending = [];
                while (pending.Count == 0 && DateTime.UtcNow < deadline)
                {
                    await host.Engine.WaitForChangeAsync(runId, TimeSpan.FromMilliseconds(200));
                    pending = await host.Runs.ListApprovalsAsync(EngineHostExtensions.Tenant, runId, "pending");
                }

                await host.Engine.SignalAsync(EngineHostExtensions.Tenant, runId, new SignalReceived(SignalKind.Approve, "reviewer:ana", pending.Single().Id));
                await host.WaitForEndAsync(runId);
                return runId;
            }

            case "pause":
            {
                var runId = await host.StartAsync(Scenarios.SlowFirst(latencyMs: 800));
                await host.Engine.SignalAsync(EngineHostExtensions.Tenant, runId, new SignalReceived(SignalKind.Pause, "operator:ola"));
                await host.WaitForAsync(runId, r => r.Status == "paused" && r.State.Contains("\"b\"", StringComparison.Ordinal));
                await Task.Delay(1200);
                await host.Engine.SignalAsync(EngineHostExtensions.Tenant, runId, new SignalReceived(SignalKind.Resume, "operator:ola"));
                await host.WaitForEndAsync(runId);
                return runId;
            }

            default:
            {
                var yaml = scenario switch
                {
                    "sequential" => Scenarios.Sequential,
                    "diamond" => Scenarios.Diamond,
                    "flaky" => Scenarios.Flaky(failFirst: 2, maxAttempts: 3),
                    "pricey" => Scenarios.Pricey(maxCostUsd: "0.00095"),
                    "chain" => Scenarios.Chain(80), // two executions: the recorded one starts from the state the first carried over
                    _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "no such scenario"),
                };
                var run = await host.RunToEndAsync(yaml);
                return run.Id;
            }
        }
    }
}
