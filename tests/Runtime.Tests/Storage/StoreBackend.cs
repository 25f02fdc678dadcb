using Dapper;
using Microsoft.Data.Sqlite;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Postgres;
using Warden.Runtime.Storage.Sqlite;
using Warden.Runtime.Tests.Support;

namespace Warden.Runtime.Tests.Storage;

/// <summary>
/// One store backend under the shared behaviour tests: its stores over one fresh database, a second instance on the
/// same data (another pool, as another process opens it), and raw SQL for assertions and tampering.
/// </summary>
public abstract class StoreBackend : IAsyncDisposable
{
    public abstract ITenantStore Tenants(TimeProvider clock);

    public abstract IGraphStore Graphs(TimeProvider clock);

    public abstract ICatalogStore Catalog();

    public abstract IAuditLog Audit(TimeProvider clock);

    public abstract IApiRateLimiter RateLimiter(GuardrailOptions options, TimeProvider clock);

    /// <summary>The same data opened again, as a second process would open it.</summary>
    public abstract StoreBackend SecondInstance();

    /// <summary>Runs SQL outside the stores, as someone with access to the database could.</summary>
    public abstract Task<int> ExecuteAsync(string sql, object? args = null);

    public abstract Task<T> ScalarAsync<T>(string sql, object? args = null);

    /// <summary>Disables the audit log's append-only guard (anyone owning the database can) and sets one column of one row.</summary>
    public async Task TamperAuditAsync(string tenantId, long seq, string column, object value)
    {
        await DisableAuditGuardAsync();
        if (await ExecuteAsync($"UPDATE audit_log SET {column} = @value WHERE tenant_id = @tenantId AND seq = @seq", new { value, tenantId, seq }) != 1)
        {
            throw new InvalidOperationException($"no audit row {tenantId}/{seq} to tamper with");
        }
    }

    public abstract Task DisableAuditGuardAsync();

    public abstract ValueTask DisposeAsync();
}

public sealed class SqliteBackend(string? directory = null) : StoreBackend
{
    private readonly string _directory = directory ?? TestWarden.NewDataDirectory();
    private SqliteDatabase? _db;

    public SqliteDatabase Database => _db ??= new SqliteDatabase(_directory);

    public override ITenantStore Tenants(TimeProvider clock) => new SqliteTenantStore(Database, clock);

    public override IGraphStore Graphs(TimeProvider clock) => new SqliteGraphStore(Database, clock);

    public override ICatalogStore Catalog() => new SqliteCatalogStore(Database);

    public override IAuditLog Audit(TimeProvider clock) => new SqliteAuditLog(Database, clock);

    public override IApiRateLimiter RateLimiter(GuardrailOptions options, TimeProvider clock) => new InProcessApiRateLimiter(options, clock);

    public override StoreBackend SecondInstance() => new SqliteBackend(_directory);

    public override async Task<int> ExecuteAsync(string sql, object? args = null)
    {
        await using var connection = Database.Open();
        return await connection.ExecuteAsync(sql, args);
    }

    public override async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var connection = Database.Open();
        return (await connection.ExecuteScalarAsync<T>(sql, args))!;
    }

    public override Task DisableAuditGuardAsync() =>
        ExecuteAsync("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;");

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}

public sealed class PostgresBackend : StoreBackend
{
    private readonly string _connectionString;

    private PostgresBackend(string connectionString)
    {
        _connectionString = connectionString;
        Database = PostgresDatabase.Open(connectionString);
    }

    public PostgresDatabase Database { get; }

    /// <summary>A fresh database on the test run's server, migrated.</summary>
    public static async Task<PostgresBackend> CreateAsync(PostgresServer server) =>
        new(server.ConnectionString(await server.CreateDatabaseAsync()));

    public override ITenantStore Tenants(TimeProvider clock) => new PostgresTenantStore(Database, clock);

    public override IGraphStore Graphs(TimeProvider clock) => new PostgresGraphStore(Database, clock);

    public override ICatalogStore Catalog() => new PostgresCatalogStore(Database);

    public override IAuditLog Audit(TimeProvider clock) => new PostgresAuditLog(Database, clock);

    public override IApiRateLimiter RateLimiter(GuardrailOptions options, TimeProvider clock) => new PostgresApiRateLimiter(Database, options, clock);

    public override StoreBackend SecondInstance() => new PostgresBackend(_connectionString);

    public override async Task<int> ExecuteAsync(string sql, object? args = null)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteAsync(sql, args);
    }

    public override async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, args))!;
    }

    public override Task DisableAuditGuardAsync() => ExecuteAsync("ALTER TABLE audit_log DISABLE TRIGGER USER");

    public override ValueTask DisposeAsync() => Database.DisposeAsync();
}
