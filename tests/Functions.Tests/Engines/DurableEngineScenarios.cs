using Shouldly;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Functions.Tests.Engines;

/// <summary>The engine scenarios on the Durable engine: RunGraph on a real task hub (Azure Storage backend on Azurite).</summary>
[Collection(AzuriteServer.Collection)]
public sealed class DurableEngineScenarios(AzuriteServer azurite) : EngineScenarios
{
    protected override async Task<IEngineHost> StartHostAsync(IReadOnlyDictionary<string, string?>? settings = null) =>
        await DurableEngineHost.StartAsync(azurite.ConnectionString, settings ?? new Dictionary<string, string?>());

    protected override TimeSpan TimerSlack => TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task LongRun_MoreDecisionsThanOneExecutionTakes_ContinuesAsNewWithItsState()
    {
        await using var host = await DurableEngineHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>());

        // Each step takes two decisions (admitted, then succeeded): 80 steps need two executions of 100.
        var run = await host.RunToEndAsync(Scenarios.Chain(80), seed: 11);
        var client = host.Warden.Hub.Client;
        await client.WaitForInstanceCompletionAsync(run.Id, false, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        var latest = Replay.HistoryReplayer.Parse(await client.GetHistoryJsonAsync(run.Id));

        // The execution that finished the run started from the state the one before it carried over.
        run.Status.ShouldBe("completed");
        var started = latest.OfType<DurableTask.Core.History.ExecutionStartedEvent>().Single();
        started.Input.ShouldContain("\"CarryOver\":{");
        started.Input.ShouldNotContain("\"Decisions\":0,");
        latest.OfType<DurableTask.Core.History.TaskScheduledEvent>().Count(e => e.Name == nameof(Warden.Functions.Runs.ExecuteNodeActivity)).ShouldBeLessThan(80);
    }
}
