using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Runtime.Scheduled;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Scheduled;

public sealed class ScheduledChecksTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 8, 14, 12, 0, 0, TimeSpan.Zero);
    private readonly SqliteDatabase _db = new(TestWarden.NewDataDirectory(), SqliteSynchronous.Normal);
    private readonly ManualClock _clock = new(Now);

    public ScheduledChecksTests()
    {
        _ = new SqliteTenantStore(_db, _clock).BootstrapAsync("key").GetAwaiter().GetResult();
    }

    public void Dispose() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

    [Fact]
    public async Task DriftCheck_CostPerCallTripledAgainstTheDayBefore_Drifts()
    {
        // Arrange
        await CallsAsync(Now.AddHours(-5), succeeded: 10, failed: 0, costEach: 0.01m, latencyMs: 100);
        await CallsAsync(Now.AddMinutes(-5), succeeded: 10, failed: 0, costEach: 0.03m, latencyMs: 100);

        // Act
        var drift = (await new DriftCheck(new SqliteTenantStore(_db, _clock), new SqliteUsageStore(_db), _clock, NullLogger<DriftCheck>.Instance).RunAsync()).ShouldHaveSingleItem();

        // Assert
        drift.CostRatio.ShouldBe(3m);
        drift.LatencyRatio.ShouldBe(1.0);
        drift.Drifted.ShouldBeTrue();
    }

    private async Task CallsAsync(DateTimeOffset at, int succeeded, int failed, decimal costEach, long latencyMs)
    {
        var projection = new SqliteRunProjection(_db);
        for (var i = 0; i < succeeded + failed; i++)
        {
            var ok = i < succeeded;
            var inv = new NodeInvocation($"run_{at.ToUnixTimeSeconds()}_{i}", "demo", "g", "n", 1, 1, "executor", "p", "mock", "mock-1", TimeSpan.FromMinutes(1), MockSettings.None, 1);
            await projection.RecordUsageAsync(inv, [new ProviderCall("mock", "mock-1", null, ok, !ok, ok ? null : "503", latencyMs, ok ? new Usage(10, 10, costEach) : Usage.Zero)], at);
        }
    }
}
