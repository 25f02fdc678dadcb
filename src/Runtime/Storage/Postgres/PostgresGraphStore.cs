using System.Data.Common;
using Dapper;

namespace Warden.Runtime.Storage.Postgres;

public sealed class PostgresGraphStore(PostgresDatabase db, TimeProvider clock) : DapperGraphStore(clock)
{
    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken ct) => await db.OpenAsync(ct);

    /// <summary>Instances upload concurrently: the graph's advisory lock serializes them until the transaction ends.</summary>
    protected override Task LockGraphAsync(DbConnection connection, DbTransaction tx, string tenantId, string graphId) =>
        connection.ExecuteAsync(
            "SELECT pg_advisory_xact_lock(@lockClass, hashtext(@tenantId || '/' || @graphId))",
            new { lockClass = AdvisoryLocks.GraphVersions, tenantId, graphId },
            tx);
}
