using System.Data.Common;
using Dapper;

namespace Warden.Runtime.Storage.Postgres;

/// <summary>Suites, their versions and suite runs in the shared PostgreSQL store (migration 2), read by every instance.</summary>
public sealed class PostgresSuiteStore(PostgresDatabase db, TimeProvider clock) : DapperSuiteStore(clock)
{
    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken ct) => await db.OpenAsync(ct);

    /// <summary>Instances upload concurrently: the suite's advisory lock serializes them until the transaction ends.</summary>
    protected override Task LockSuiteAsync(DbConnection connection, DbTransaction tx, string tenantId, string suiteId) =>
        connection.ExecuteAsync(
            "SELECT pg_advisory_xact_lock(@lockClass, hashtext(@tenantId || '/' || @suiteId))",
            new { lockClass = AdvisoryLocks.SuiteVersions, tenantId, suiteId },
            tx);
}
