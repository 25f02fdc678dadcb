using System.Data.Common;
using Npgsql;

namespace Warden.Runtime.Storage.Postgres;

public sealed class PostgresCatalogStore(PostgresDatabase db) : DapperCatalogStore
{
    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken ct) => await db.OpenAsync(ct);

    protected override bool IsConstraintViolation(DbException ex) =>
        ex is PostgresException { SqlState: PostgresErrorCodes.NotNullViolation or PostgresErrorCodes.CheckViolation };
}
