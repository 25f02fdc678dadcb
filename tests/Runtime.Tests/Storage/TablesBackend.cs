using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Tables;
using Warden.Runtime.Tests.Support;

namespace Warden.Runtime.Tests.Storage;

/// <summary>
/// The Table Storage backend on the test run's Azurite: a fresh table prefix per test, so tests share one emulator
/// without seeing each other's data. A second instance is a new <see cref="TableServiceClient"/> on the same account
/// and prefix, as another process would open it; the raw operations go through yet another client, past the stores.
/// </summary>
public sealed class TablesBackend : StoreBackend
{
    private readonly string _connectionString;
    private readonly string _prefix;
    private readonly bool _owner;
    private readonly TableServiceClient _raw;
    private readonly RequestCounter _counter = new();

    private TablesBackend(string connectionString, string prefix, bool owner)
    {
        _connectionString = connectionString;
        _prefix = prefix;
        _owner = owner;
        _raw = new TableServiceClient(connectionString);
        var options = new TableClientOptions();
        options.AddPolicy(_counter, HttpPipelinePosition.PerCall);
        Storage = new TableStorage(new TableServiceClient(connectionString, options), prefix);
    }

    public TableStorage Storage { get; }

    /// <summary>Requests the stores of this instance have sent to the account so far.</summary>
    public int Requests => _counter.Count;

    public static TablesBackend Create(AzuriteServer azurite) =>
        new(azurite.ConnectionString, "t" + Guid.NewGuid().ToString("N")[..12], owner: true);

    public override ITenantStore Tenants(TimeProvider clock) => new TablesTenantStore(Storage, clock);

    public override IGraphStore Graphs(TimeProvider clock) => new TablesGraphStore(Storage, clock);

    public override ICatalogStore Catalog() => new TablesCatalogStore(Storage);

    public override IReleaseStore Releases() => new TablesReleaseStore(Storage);

    public override IAuditLog Audit(TimeProvider clock) => new TablesAuditLog(Storage, clock);

    public override IApiRateLimiter RateLimiter(GuardrailOptions options, TimeProvider clock) => new TablesApiRateLimiter(Storage, options, clock);

    public override ISuiteStore Suites(TimeProvider clock) => new TablesSuiteStore(Storage, clock);

    public override StoreBackend SecondInstance() => new TablesBackend(_connectionString, _prefix, owner: false);

    public override async Task<long> CountTenantsAsync() => (await EntitiesAsync(TablesTenantStore.TenantsTable)).Count;

    public override async Task<long> CountApiKeysAsync() => (await EntitiesAsync(TablesTenantStore.KeysTable)).Count;

    public override async Task<IReadOnlyList<string>> StoredKeyValuesAsync() =>
        [.. (await EntitiesAsync(TablesTenantStore.KeysTable)).Concat(await EntitiesAsync(TablesTenantStore.HashesTable)).SelectMany(Values)];

    public override async Task<string> StoredAuditTextAsync() =>
        string.Concat((await EntitiesAsync(TablesAuditLog.Table)).SelectMany(Values));

    /// <summary>Replaces one property of the row (column names map to properties: payload_hash is PayloadHash).</summary>
    public override async Task TamperAuditAsync(string tenantId, long seq, string column, string value)
    {
        var table = Raw(TablesAuditLog.Table);
        var row = (await table.GetEntityAsync<TableEntity>(tenantId, seq.ToString("D19", System.Globalization.CultureInfo.InvariantCulture))).Value;
        row[Property(column)] = value;
        await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace);
    }

    public override async Task DeleteAuditRowAsync(string tenantId, long seq)
    {
        var response = await Raw(TablesAuditLog.Table).DeleteEntityAsync(tenantId, seq.ToString("D19", System.Globalization.CultureInfo.InvariantCulture), ETag.All);
        if (response.Status == 404)
        {
            throw new InvalidOperationException($"no audit row {tenantId}/{seq} to delete");
        }
    }

    public override async Task<int> StoredApiRequestCountAsync(string tenantId) =>
        (await Raw(TablesApiRateLimiter.Table).GetEntityAsync<TableEntity>(tenantId, TablesApiRateLimiter.ApiRow)).Value.GetInt32("Current") ?? 0;

    /// <summary>Every entity of one of the stores' tables (an empty list when the stores never created it).</summary>
    public async Task<List<TableEntity>> EntitiesAsync(string table)
    {
        var entities = new List<TableEntity>();
        try
        {
            await foreach (var entity in Raw(table).QueryAsync<TableEntity>())
            {
                entities.Add(entity);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }

        return entities;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_owner)
        {
            // Azurite keeps everything in memory: drop this test's tables.
            await foreach (var table in _raw.QueryAsync(TableClient.CreateQueryFilter($"TableName ge {Storage.Prefix} and TableName lt {Storage.Prefix + "~"}")))
            {
                await _raw.DeleteTableAsync(table.Name);
            }
        }
    }

    private TableClient Raw(string table) => _raw.GetTableClient(Storage.Prefix + table);

    private static IEnumerable<string> Values(TableEntity entity) =>
        entity.Where(p => p.Key is not ("odata.etag" or "Timestamp")).Select(p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);

    private static string Property(string column)
    {
        var name = new StringBuilder();
        foreach (var part in column.Split('_'))
        {
            name.Append(char.ToUpperInvariant(part[0])).Append(part[1..]);
        }

        return name.ToString();
    }

    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
