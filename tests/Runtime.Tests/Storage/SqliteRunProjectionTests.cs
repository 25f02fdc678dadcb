using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;
using Warden.Runtime.Tests.Support;

namespace Warden.Runtime.Tests.Storage;

/// <summary>The run projection on the embedded store's SQLite file.</summary>
public sealed class SqliteRunProjectionTests : RunProjectionBehaviour, IDisposable
{
    private readonly SqliteDatabase _db = new(TestWarden.NewDataDirectory(), SqliteSynchronous.Normal);

    protected override IRunStore Runs => new SqliteRunStore(_db);

    protected override IUsageStore Usage => new SqliteUsageStore(_db);

    public void Dispose() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

    protected override IRunProjection NewProjection() => new SqliteRunProjection(_db);
}
