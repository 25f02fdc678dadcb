using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// The Azure Table Storage account Warden's shared state lives in (<c>WARDEN_STORE=tables</c>), and the tables in it.
/// On Azure that is the function app's own storage account, reached with its managed identity; locally, Azurite.
/// Tables are created on first use, once per process, so start-up needs no migration step.
/// </summary>
public sealed class TableStorage
{
    /// <summary>Prefix of every table Warden creates, so they sit apart from the Durable task hub's tables in the same account.</summary>
    public const string TablePrefix = "warden";

    private readonly TableServiceClient _service;
    private readonly Dictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public TableStorage(TableServiceClient service, string? prefix = null)
    {
        _service = service ?? throw new ArgumentNullException(nameof(service));
        Prefix = TablePrefix + (prefix ?? string.Empty);
    }

    /// <summary>The table-name prefix: <c>warden</c>, plus WARDEN_TABLES_PREFIX when set (several deployments, or test runs, in one account).</summary>
    public string Prefix { get; }

    /// <summary>The account and its table endpoint, for start-up messages: never a key.</summary>
    public string Description => $"{_service.AccountName} at {_service.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/')}";

    /// <summary>The table <c>{Prefix}{name}</c>, created if it does not exist yet.</summary>
    public Task<TableClient> TableAsync(string name, CancellationToken ct = default)
    {
        Lazy<Task<TableClient>> table;
        lock (_gate)
        {
            if (!_tables.TryGetValue(name, out table!))
            {
                table = new Lazy<Task<TableClient>>(() => CreateAsync(Prefix + name));
                _tables[name] = table;
            }
        }

        return table.Value.WaitAsync(ct);
    }

    /// <summary>
    /// Opens the account named by the settings, in this order: <c>WARDEN_TABLES_CONNECTION_STRING</c> (a storage
    /// connection string: Azurite, or a key), <c>WARDEN_TABLES_ENDPOINT</c> (the table endpoint, read as
    /// DefaultAzureCredential, i.e. the app's managed identity with <c>AZURE_CLIENT_ID</c>), then the Functions host's own
    /// storage: <c>AzureWebJobsStorage</c> as a connection string, or its identity-based form
    /// (<c>AzureWebJobsStorage__tableServiceUri</c> or <c>__accountName</c>, with <c>__clientId</c> for a user-assigned identity).
    /// </summary>
    /// <exception cref="ConfigurationException">No setting names an account, or the one given is malformed.</exception>
    public static TableStorage FromSettings(Func<string, string?> read, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        string? Value(string name) => read(name) is { Length: > 0 } v ? v.Trim() : null;
        var prefix = Value("WARDEN_TABLES_PREFIX");
        if (prefix is not null && (prefix.Length > 20 || !prefix.All(char.IsAsciiLetterOrDigit)))
        {
            throw new ConfigurationException($"WARDEN_TABLES_PREFIX must be up to 20 letters and digits, not '{prefix}'");
        }

        return new TableStorage(Service(Value, credential), prefix?.ToLowerInvariant());
    }

    private static TableServiceClient Service(Func<string, string?> value, TokenCredential? credential)
    {
        if (value("WARDEN_TABLES_CONNECTION_STRING") is { } connection)
        {
            return FromConnectionString(connection, "WARDEN_TABLES_CONNECTION_STRING");
        }

        if (value("WARDEN_TABLES_ENDPOINT") is { } endpoint)
        {
            return new TableServiceClient(Endpoint(endpoint, "WARDEN_TABLES_ENDPOINT"), credential ?? Credential(value("AZURE_CLIENT_ID")));
        }

        if (value("AzureWebJobsStorage") is { } webJobs)
        {
            return FromConnectionString(webJobs, "AzureWebJobsStorage");
        }

        var clientId = value("AzureWebJobsStorage__clientId") ?? value("AZURE_CLIENT_ID");
        if (value("AzureWebJobsStorage__tableServiceUri") is { } tableUri)
        {
            return new TableServiceClient(Endpoint(tableUri, "AzureWebJobsStorage__tableServiceUri"), credential ?? Credential(clientId));
        }

        if (value("AzureWebJobsStorage__accountName") is { } account)
        {
            return new TableServiceClient(Endpoint($"https://{account}.table.core.windows.net", "AzureWebJobsStorage__accountName"), credential ?? Credential(clientId));
        }

        throw new ConfigurationException(
            "WARDEN_STORE=tables needs a storage account: set WARDEN_TABLES_CONNECTION_STRING, WARDEN_TABLES_ENDPOINT or AzureWebJobsStorage");
    }

    private static TableServiceClient FromConnectionString(string connection, string setting)
    {
        try
        {
            return new TableServiceClient(connection);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The connection string holds the account key: name the setting, never echo the value.
            throw new ConfigurationException($"{setting} is not a valid storage connection string");
        }
    }

    private static Uri Endpoint(string text, string setting) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw new ConfigurationException($"{setting} must be an absolute http(s) URL such as https://ACCOUNT.table.core.windows.net, not '{text}'");

    private static DefaultAzureCredential Credential(string? clientId) =>
        new(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });

    private async Task<TableClient> CreateAsync(string name)
    {
        var table = _service.GetTableClient(name);
        try
        {
            await table.CreateIfNotExistsAsync();
        }
        catch
        {
            // Not cached as failed: the next caller tries again (the account may have been briefly unreachable).
            lock (_gate)
            {
                _tables.Remove(name[Prefix.Length..]);
            }

            throw;
        }

        return table;
    }
}
