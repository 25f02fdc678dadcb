using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Functions.Tests.Engines;

/// <summary>The engine scenarios on the Durable engine: RunGraph on a real task hub (Azure Storage backend on Azurite).</summary>
[Collection(AzuriteServer.Collection)]
public sealed class DurableEngineScenarios(AzuriteServer azurite) : EngineScenarios
{
    protected override async Task<IEngineHost> StartHostAsync(IReadOnlyDictionary<string, string?>? settings = null) =>
        await DurableEngineHost.StartAsync(azurite.ConnectionString, settings ?? new Dictionary<string, string?>());
}
