using Dapper;

namespace Warden.Runtime.Storage.Sqlite;

public sealed class SqliteTenantDirectory(SqliteDatabase db) : ITenantDirectory
{
    public async Task<IReadOnlyList<string>> ListTenantIdsAsync(CancellationToken ct = default)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<string>("SELECT id FROM tenants ORDER BY id")).AsList();
    }
}
