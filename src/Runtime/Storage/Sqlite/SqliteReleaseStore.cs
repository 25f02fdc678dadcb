using System.Data.Common;

namespace Warden.Runtime.Storage.Sqlite;

public sealed class SqliteReleaseStore(SqliteDatabase db) : DapperReleaseStore
{
    protected override ValueTask<DbConnection> OpenAsync(CancellationToken ct) => ValueTask.FromResult<DbConnection>(db.Open());

    /// <summary>The transaction begins IMMEDIATE: it already holds SQLite's single write lock.</summary>
    protected override Task LockReleasesAsync(DbConnection connection, DbTransaction tx, string tenantId, string graphId) => Task.CompletedTask;
}
