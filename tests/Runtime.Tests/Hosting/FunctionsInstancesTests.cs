using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Runtime.Api;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Hosting;

/// <summary>
/// Two Functions instances: two service providers from AddWardenRuntime, each with its own local disk, on one storage
/// account. A run one instance writes is read through the other, as on Flex Consumption, where the instance that
/// started a run is rarely the one that serves the next request about it.
/// </summary>
[Collection(AzuriteServer.Collection)]
public sealed class FunctionsInstancesTests(AzuriteServer azurite) : IDisposable
{
    private const string Key = "wdn_instances_key";

    /// <summary>The app's tables: both instances open the same ones, apart from other tests'.</summary>
    private readonly string _tables = "i" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

    [Fact]
    public async Task Projection_WrittenThroughOneInstance_IsReadThroughAnother()
    {
        // Arrange
        using var first = await StartAsync();
        using var second = await StartAsync();
        var now = DateTimeOffset.UtcNow;
        var start = new RunStart("run_" + Guid.NewGuid().ToString("N")[..20], "demo", "gated", 1, """{"task":"x"}""", 5);
        var decider = new RunDecider(GraphParser.Parse(Graphs.Gate));
        var writer = first.GetRequiredService<IRunProjection>();

        // Act: instance one starts the run and writes its decisions up to the approval gate, and the step's usage.
        await writer.CreateRunAsync(start, now);
        var decision = decider.Start(start, new RunContext(now));
        long version = 0, events = 0;
        await ApplyAsync(decision);
        decision = decider.Apply(decision.State, new GuardrailAnswered("plan", 1, 1, AdmissionVerdict.Admitted, []), new RunContext(now.AddSeconds(1)));
        await ApplyAsync(decision);
        decision = decider.Apply(decision.State, new NodeSucceeded("plan", 1, 1, "the plan", new Usage(10, 5, 0.002m), "mock", "mock-1", 5), new RunContext(now.AddSeconds(2)));
        await ApplyAsync(decision);
        await writer.RecordUsageAsync(
            new NodeInvocation(start.RunId, "demo", "gated", "plan", 1, 1, "planner", "Plan", "mock", "mock-1", TimeSpan.FromMinutes(1), MockSettings.None, 5),
            [new ProviderCall("mock", "mock-1", null, true, false, null, 7, new Usage(10, 5, 0.002m))],
            now.AddSeconds(2));

        // Assert: instance two serves the API about it.
        var api = second.GetRequiredService<WardenApi>();
        var (runStatus, run) = await ApiCall.SendAsync(second, Key, h => api.GetRunAsync(h, start.RunId));
        runStatus.ShouldBe(StatusCodes.Status200OK);
        run.GetProperty("status").GetString().ShouldBe("running");
        var (_, timeline) = await ApiCall.SendAsync(second, Key, h => api.ListRunEventsAsync(h, start.RunId));
        timeline.GetProperty("items").GetArrayLength().ShouldBe((int)events);
        var (_, approvals) = await ApiCall.SendAsync(second, Key, api.ListApprovalsAsync);
        approvals.GetProperty("items").EnumerateArray().ShouldContain(a => a.GetProperty("run_id").GetString() == start.RunId);

        var reader = second.GetRequiredService<IRunStore>();
        var stream = (await reader.ListTenantEventsAsync("demo", new TimelinePosition(now.AddSeconds(-1).ToString("O"), string.Empty, 0), 1000))
            .Where(e => e.RunId == start.RunId).ToList();
        stream.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, (int)events).Select(i => (long)i));
        stream[^1].Type.ShouldBe("approval.requested");
        var usage = await second.GetRequiredService<IUsageStore>().GroupAsync("demo", now.AddMinutes(-1), now.AddMinutes(1), UsageGrouping.Agent);
        usage.ShouldContain(r => r.Key == "plan" && r.Calls >= 1);

        async Task ApplyAsync(Decision d)
        {
            var projected = d.Commands.Where(c => c is AppendTimeline or RequestApproval or CloseApproval or EscalateApproval or FinishRun).ToList();
            await writer.ApplyAsync(new RunProjectionUpdate(d.State, ++version, events, projected));
            events += projected.OfType<AppendTimeline>().Sum(t => t.Entries.Count);
        }
    }

    /// <summary>One instance: its own data directory (its tenant store has the same bootstrap key), the shared account.</summary>
    private async Task<ServiceProvider> StartAsync()
    {
        var provider = WardenRuntimeServicesTests.Build(azurite, TestWarden.NewDataDirectory(), ("WARDEN_BOOTSTRAP_API_KEY", Key), ("WARDEN_TABLES_PREFIX", _tables));
        await provider.GetServices<IHostedService>().OfType<TenantBootstrapService>().Single().StartAsync(CancellationToken.None);
        return provider;
    }
}
