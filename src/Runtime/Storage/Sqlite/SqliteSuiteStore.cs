using System.Data.Common;

namespace Warden.Runtime.Storage.Sqlite;

/// <summary>Suites, their versions and suite runs in the embedded SQLite store (migration 7).</summary>
public sealed class SqliteSuiteStore(SqliteDatabase db, TimeProvider clock) : DapperSuiteStore(clock)
{
    protected override ValueTask<DbConnection> OpenAsync(CancellationToken ct) => ValueTask.FromResult<DbConnection>(db.Open());

    /// <summary>The transaction begins IMMEDIATE: it already holds SQLite's single write lock.</summary>
    protected override Task LockSuiteAsync(DbConnection connection, DbTransaction tx, string tenantId, string suiteId) => Task.CompletedTask;
}
