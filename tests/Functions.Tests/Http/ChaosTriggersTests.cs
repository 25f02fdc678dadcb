using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Shouldly;
using Warden.Functions.Tests.Dispatcher;
using Warden.Functions.Tests.Engines;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Functions.Tests.Http;

/// <summary>Chaos on the Functions host: the faults live in the shared executor and work here; a crash cannot.</summary>
[Collection(AzuriteServer.Collection)]
public sealed class ChaosTriggersTests(AzuriteServer azurite)
{
    [Fact]
    public async Task StartRun_CrashAfterStepsOnFunctionsHost_BadRequestSayingTheHostCannotKillItself()
    {
        // Arrange
        await using var instance = await DurableWarden.StartAsync(azurite.ConnectionString);
        await instance.CallTriggerAsync((t, r, c) => t.CreateGraph(r, c), "POST", "/api/v1/graphs", Scenarios.Sequential, "application/yaml");

        // Act
        var (crash, crashBody) = await instance.CallTriggerAsync(
            (t, r, c) => t.StartRun(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/runs", """{"input":{"task":"x"},"chaos":{"crash_after_steps":1}}""");
        var (faults, faultsBody) = await instance.CallTriggerAsync(
            (t, r, c) => t.StartRun(r, c, "sequential"), "POST", "/api/v1/graphs/sequential/runs", """{"input":{"task":"x"},"chaos":{"latency_ms":10}}""");

        // Assert
        crash.ShouldBe(StatusCodes.Status400BadRequest, crashBody);
        JsonDocument.Parse(crashBody).RootElement.GetProperty("message").GetString()!.ShouldContain("the Functions host cannot kill itself");
        faults.ShouldBe(StatusCodes.Status202Accepted, faultsBody);
    }
}
