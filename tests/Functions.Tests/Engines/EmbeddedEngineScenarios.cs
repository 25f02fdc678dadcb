namespace Warden.Functions.Tests.Engines;

/// <summary>The engine scenarios on the embedded engine (SQLite, as `warden serve` runs it).</summary>
public sealed class EmbeddedEngineScenarios : EngineScenarios
{
    protected override async Task<IEngineHost> StartHostAsync(IReadOnlyDictionary<string, string?>? settings = null) =>
        await EmbeddedEngineHost.StartAsync(settings ?? new Dictionary<string, string?>());
}
