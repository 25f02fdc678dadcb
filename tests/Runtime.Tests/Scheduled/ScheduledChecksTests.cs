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
    public async Task DriftCheck_CostPerRunTripledAgainstTheDayBefore_DriftsAndIsAudited()
    {
        // Arrange: graph g ran 10 times five hours ago and 6 times in the last hour, at three times the cost; h is steady
        await new SqliteGraphStore(_db, _clock).SaveVersionAsync("demo", "g", null, "name: g", "yaml");
        await new SqliteGraphStore(_db, _clock).SaveVersionAsync("demo", "h", null, "name: h", "yaml");
        await RunsAsync("g", Now.AddHours(-5), 10, 0.01m);
        await RunsAsync("g", Now.AddMinutes(-30), 6, 0.03m);
        await RunsAsync("h", Now.AddHours(-5), 10, 0.01m);
        await RunsAsync("h", Now.AddMinutes(-30), 6, 0.01m);
        var audit = new SqliteAuditLog(_db, _clock);

        // Act
        var results = await new DriftCheck(new SqliteTenantStore(_db, _clock), new SqliteGraphStore(_db, _clock), new SqliteRunStore(_db), audit, _clock, NullLogger<DriftCheck>.Instance).RunAsync();

        // Assert
        var g = results.Single(r => r.GraphId == "g").Report;
        g.Drifted.ShouldBeTrue();
        g.Metrics.Single(m => m.Name == "cost_per_run").Change.ShouldBe(3.0, 0.0001);
        g.Metrics.Where(m => m.Name != "cost_per_run").ShouldAllBe(m => !m.Drifted);
        results.Single(r => r.GraphId == "h").Report.Drifted.ShouldBeFalse();
        (await audit.QueryAsync("demo", new AuditQuery(Action: "graph.drifted"))).Items.ShouldHaveSingleItem().Target.ShouldBe("g");
    }

    /// <summary>Ended runs of a graph as the engine's store keeps them, each lasting a second.</summary>
    private async Task RunsAsync(string graphId, DateTimeOffset at, int count, decimal cost)
    {
        await using var connection = _db.Open();
        for (var i = 0; i < count; i++)
        {
            var created = at.AddSeconds(i);
            await Dapper.SqlMapper.ExecuteAsync(
                connection,
                """
                INSERT INTO runs (id, tenant_id, graph_id, graph_version, status, input, output, state, version, event_seq, cost_usd, created_at, updated_at, ended_at)
                VALUES (@id, 'demo', @graphId, 1, 'completed', '{}', 'the plan ships the rate limiter', '{}', 1, 0, @cost, @created, @ended, @ended)
                """,
                new { id = $"run_{graphId}_{created.ToUnixTimeSeconds()}_{i}", graphId, cost = cost.ToString(System.Globalization.CultureInfo.InvariantCulture), created = created.ToString("O"), ended = created.AddSeconds(1).ToString("O") });
        }
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
