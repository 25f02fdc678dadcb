using System.Data.Common;
using Dapper;

namespace Warden.Runtime.Storage.Postgres;

public sealed class PostgresReleaseStore(PostgresDatabase db) : DapperReleaseStore
{
    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken ct) => await db.OpenAsync(ct);

    /// <summary>Instances release concurrently: the graph's advisory lock serializes them until the transaction ends.</summary>
    protected override Task LockReleasesAsync(DbConnection connection, DbTransaction tx, string tenantId, string graphId) =>
        connection.ExecuteAsync(
            "SELECT pg_advisory_xact_lock(@lockClass, hashtext(@tenantId || '/' || @graphId))",
            new { lockClass = AdvisoryLocks.GraphReleases, tenantId, graphId },
            tx);
}
