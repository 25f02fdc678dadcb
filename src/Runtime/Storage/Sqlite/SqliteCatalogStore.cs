using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Warden.Runtime.Storage.Sqlite;

public sealed class SqliteCatalogStore(SqliteDatabase db) : DapperCatalogStore
{
    private const int ConstraintViolation = 19;

    protected override ValueTask<DbConnection> OpenAsync(CancellationToken ct) => ValueTask.FromResult<DbConnection>(db.Open());

    protected override bool IsConstraintViolation(DbException ex) => ex is SqliteException { SqliteErrorCode: ConstraintViolation };
}
