using Azure.Data.Tables;
using Shouldly;
using Warden.Core.Serialization;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;
using Warden.Runtime.Storage.Tables;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

/// <summary>The run projection on Azure Table Storage (a real Azurite), each test under its own table prefix.</summary>
[Collection(AzuriteServer.Collection)]
public sealed class TablesRunProjectionTests(AzuriteServer azurite) : RunProjectionBehaviour
{
    private readonly string _prefix = "p" + Guid.NewGuid().ToString("N")[..12];
    private TableStorage? _storage;

    protected override IRunStore Runs => new TablesRunStore(Storage);

    protected override IUsageStore Usage => new TablesUsageStore(Storage);

    private TableStorage Storage => _storage ??= NewStorage();

    /// <summary>Its own account client and table cache, as a second Functions instance has.</summary>
    protected override IRunProjection NewProjection() => new TablesRunProjection(NewStorage());

    [Fact]
    public async Task Usage_SameRowsOnBothBackends_AnswerAlike()
    {
        // Arrange
        var db = new SqliteDatabase(TestWarden.NewDataDirectory(), SqliteSynchronous.Normal);
        await RecordUsageRowsAsync(new SqliteRunProjection(db));
        await RecordUsageRowsAsync(Projection);
        var sqlite = new SqliteUsageStore(db);
        var from = T0.AddHours(-1);
        var to = T0.AddDays(2);

        // Act + Assert
        foreach (var by in Enum.GetValues<UsageGrouping>())
        {
            Json(await Usage.GroupAsync("t1", from, to, by)).ShouldBe(Json(await sqlite.GroupAsync("t1", from, to, by)));
        }

        Json(await Usage.SummaryAsync("t1", from, to)).ShouldBe(Json(await sqlite.SummaryAsync("t1", from, to)));
        Json(await Usage.TimeseriesAsync("t1", from, to, TimeSpan.FromHours(1))).ShouldBe(Json(await sqlite.TimeseriesAsync("t1", from, to, TimeSpan.FromHours(1))));
        Json(await Usage.SummaryAsync("t1", from, to)).ShouldContain("\"calls\":4");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Guardrails_FunctionsHost_AreNotInThisStore()
    {
        // Act + Assert: breakers and budgets live in Durable entities on the Functions host.
        (await Usage.GuardrailsAsync("t1")).ShouldBeEmpty();
    }

    private static string Json(object value) => WardenJson.Serialize(value);

    private TableStorage NewStorage() => new(new TableServiceClient(azurite.ConnectionString), _prefix);
}
