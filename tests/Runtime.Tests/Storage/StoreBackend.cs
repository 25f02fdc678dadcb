using Dapper;
using Microsoft.Data.Sqlite;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Postgres;
using Warden.Runtime.Storage.Sqlite;
using Warden.Runtime.Tests.Support;

namespace Warden.Runtime.Tests.Storage;

/// <summary>
/// One store backend under the shared behaviour tests: its stores over fresh data, a second instance on the same data
/// (another pool or client, as another process opens it), and what the tests read or change behind the stores' backs,
/// as someone with access to the database or the storage account could: written once per backend, asserted alike.
/// </summary>
public abstract class StoreBackend : IAsyncDisposable
{
    public abstract ITenantStore Tenants(TimeProvider clock);

    public abstract IGraphStore Graphs(TimeProvider clock);

    public abstract ICatalogStore Catalog();

    public abstract IReleaseStore Releases();

    public abstract IAuditLog Audit(TimeProvider clock);

    public abstract IApiRateLimiter RateLimiter(GuardrailOptions options, TimeProvider clock);

    /// <summary>Suites and suite runs: the embedded SQLite file, PostgreSQL and Table Storage keep them.</summary>
    public virtual ISuiteStore Suites(TimeProvider clock) =>
        throw new NotSupportedException($"{GetType().Name} keeps no suites");

    /// <summary>The same data opened again, as a second process would open it.</summary>
    public abstract StoreBackend SecondInstance();

    public abstract Task<long> CountTenantsAsync();

    public abstract Task<long> CountApiKeysAsync();

    /// <summary>Every value stored for API keys (their rows, and any index of them), keys included.</summary>
    public abstract Task<IReadOnlyList<string>> StoredKeyValuesAsync();

    /// <summary>Every value of every stored audit row, concatenated.</summary>
    public abstract Task<string> StoredAuditTextAsync();

    /// <summary>Sets one field (by its column name: at, actor, payload_hash, ...) of one stored audit row, past any append-only guard.</summary>
    public abstract Task TamperAuditAsync(string tenantId, long seq, string column, string value);

    /// <summary>Deletes one stored audit row, past any append-only guard.</summary>
    public abstract Task DeleteAuditRowAsync(string tenantId, long seq);

    /// <summary>The request count the shared API limiter stored for the tenant's current window.</summary>
    public virtual Task<int> StoredApiRequestCountAsync(string tenantId) =>
        throw new NotSupportedException($"{GetType().Name} limits in process and stores no count");

    public abstract ValueTask DisposeAsync();
}

/// <summary>A backend over SQL, which the tests may also speak directly (the append-only triggers are SQL's).</summary>
public abstract class SqlStoreBackend : StoreBackend
{
    /// <summary>Runs SQL outside the stores, as someone with access to the database could.</summary>
    public abstract Task<int> ExecuteAsync(string sql, object? args = null);

    public abstract Task<T> ScalarAsync<T>(string sql, object? args = null);

    public abstract Task DisableAuditGuardAsync();

    public override Task<long> CountTenantsAsync() => ScalarAsync<long>("SELECT COUNT(*) FROM tenants");

    public override Task<long> CountApiKeysAsync() => ScalarAsync<long>("SELECT COUNT(*) FROM api_keys");

    public override async Task<IReadOnlyList<string>> StoredKeyValuesAsync() =>
        [.. (await ScalarAsync<string?>($"SELECT {Aggregate("id || ' ' || tenant_id || ' ' || name || ' ' || prefix || ' ' || key_hash || ' ' || role", " ")} FROM api_keys") ?? string.Empty).Split(' ')];

    public override Task<string> StoredAuditTextAsync() =>
        ScalarAsync<string>($"SELECT {Aggregate("seq || at || tenant_id || actor || action || target || payload_hash || prev_hash || hash", "")} FROM audit_log");

    /// <summary>The dialect's string aggregate: string_agg in PostgreSQL, group_concat in SQLite.</summary>
    protected abstract string Aggregate(string expression, string separator);

    public override async Task TamperAuditAsync(string tenantId, long seq, string column, string value)
    {
        await DisableAuditGuardAsync();
        if (await ExecuteAsync($"UPDATE audit_log SET {column} = @value WHERE tenant_id = @tenantId AND seq = @seq", new { value, tenantId, seq }) != 1)
        {
            throw new InvalidOperationException($"no audit row {tenantId}/{seq} to tamper with");
        }
    }

    public override async Task DeleteAuditRowAsync(string tenantId, long seq)
    {
        await DisableAuditGuardAsync();
        if (await ExecuteAsync("DELETE FROM audit_log WHERE tenant_id = @tenantId AND seq = @seq", new { tenantId, seq }) != 1)
        {
            throw new InvalidOperationException($"no audit row {tenantId}/{seq} to delete");
        }
    }
}

public sealed class SqliteBackend(string? directory = null) : SqlStoreBackend
{
    private readonly string _directory = directory ?? TestWarden.NewDataDirectory();
    private SqliteDatabase? _db;

    public SqliteDatabase Database => _db ??= new SqliteDatabase(_directory);

    public override ITenantStore Tenants(TimeProvider clock) => new SqliteTenantStore(Database, clock);

    public override IGraphStore Graphs(TimeProvider clock) => new SqliteGraphStore(Database, clock);

    public override ICatalogStore Catalog() => new SqliteCatalogStore(Database);

    public override IReleaseStore Releases() => new SqliteReleaseStore(Database);

    public override IAuditLog Audit(TimeProvider clock) => new SqliteAuditLog(Database, clock);

    public override IApiRateLimiter RateLimiter(GuardrailOptions options, TimeProvider clock) => new InProcessApiRateLimiter(options, clock);

    public override ISuiteStore Suites(TimeProvider clock) => new SqliteSuiteStore(Database, clock);

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

    protected override string Aggregate(string expression, string separator) => $"group_concat({expression}, '{separator}')";

    public override Task DisableAuditGuardAsync() =>
        ExecuteAsync("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;");

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}

public sealed class PostgresBackend : SqlStoreBackend
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

    public override IReleaseStore Releases() => new PostgresReleaseStore(Database);

    public override IAuditLog Audit(TimeProvider clock) => new PostgresAuditLog(Database, clock);

    public override IApiRateLimiter RateLimiter(GuardrailOptions options, TimeProvider clock) => new PostgresApiRateLimiter(Database, options, clock);

    public override ISuiteStore Suites(TimeProvider clock) => new PostgresSuiteStore(Database, clock);

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

    protected override string Aggregate(string expression, string separator) => $"string_agg({expression}, '{separator}')";

    public override Task DisableAuditGuardAsync() => ExecuteAsync("ALTER TABLE audit_log DISABLE TRIGGER USER");

    public override Task<int> StoredApiRequestCountAsync(string tenantId) =>
        ScalarAsync<int>("SELECT current_count FROM api_rate_limits WHERE tenant_id = @tenantId", new { tenantId });

    public override ValueTask DisposeAsync() => Database.DisposeAsync();
}
