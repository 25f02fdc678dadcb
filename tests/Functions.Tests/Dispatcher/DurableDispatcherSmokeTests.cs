using Shouldly;
using Warden.Runtime.Engine;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Functions.Tests.Dispatcher;

[Collection(AzuriteServer.Collection)]
public sealed class DurableDispatcherSmokeTests(AzuriteServer azurite)
{
    [Fact]
    public async Task RunGraph_OnAzureStorageBackend_CompletesASequentialRun()
    {
        await using var warden = await DurableWarden.StartAsync(azurite.ConnectionString);
        await warden.UploadAsync(Support.TestRuns.Sequential);

        var started = await warden.Engine.StartRunAsync(new StartRunRequest("demo", "seq", null, """{"task":"x"}""", 7));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var status = "";
        while (DateTime.UtcNow < deadline && status is not ("completed" or "failed"))
        {
            await warden.Engine.WaitForChangeAsync(started.RunId, TimeSpan.FromSeconds(1));
            status = (await warden.Runs.GetAsync("demo", started.RunId))?.Status ?? "";
        }

        var instance = await warden.Hub.Client.GetInstanceAsync(started.RunId, true);
        var history = await warden.Hub.Client.GetHistoryJsonAsync(started.RunId);
        status.ShouldBe("completed", $"{instance?.RuntimeStatus} {instance?.SerializedOutput} {history}");
    }
}
