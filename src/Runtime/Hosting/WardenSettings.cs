using System.Globalization;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Tables;

namespace Warden.Runtime.Hosting;

/// <summary>
/// Everything a host configures, read from environment variables (documented in the README) and then
/// overridden by command-line flags. A bad value fails start-up with one line naming the variable.
/// </summary>
public sealed class WardenSettings
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public string DataDirectory { get; set; } = ".warden";

    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;

    public string? BootstrapApiKey { get; set; }

    /// <summary>
    /// The shared PostgreSQL store as an Npgsql connection string (see <see cref="ParseStore"/>), or null for the
    /// embedded SQLite store alone. Holds a password: never log it; <see cref="Storage.Postgres.PostgresConnectionString.Describe"/> says which server.
    /// </summary>
    public string? Store { get; set; }

    /// <summary>
    /// The shared Azure Table Storage account (<c>WARDEN_STORE=tables</c>, the account from
    /// <see cref="TableStorage.FromSettings"/>), or null. Exclusive with <see cref="Store"/>.
    /// </summary>
    public TableStorage? Tables { get; set; }

    /// <summary>Whether the shared data (tenants, graphs, catalog, audit, API limit) lives in a store every instance opens.</summary>
    public bool IsSharedStore => Store is not null || Tables is not null;

    /// <summary>The setting <see cref="Store"/> came from, named when the store cannot be used.</summary>
    public string StoreSetting { get; set; } = "WARDEN_STORE";

    public string Url { get; set; } = DefaultUrl;

    public int Workers { get; set; } = 16;

    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    public Guardrails.GuardrailOptions Guardrails { get; set; } = new();

    /// <summary>WARDEN_CHAOS_CRASH=allow: a run's chaos may kill this process (only `warden test`'s own child sets it).</summary>
    public bool AllowChaosCrash { get; set; }

    public Core.Oversight.Tasks.TaskOptions Tasks { get; set; } = Core.Oversight.Tasks.TaskOptions.Default;

    public Governance.GovernanceDefaults Governance { get; set; } = Runtime.Governance.GovernanceDefaults.Standard;

    /// <summary>App Service Authentication's client-principal header (off unless WARDEN_EASYAUTH_ENABLED).</summary>
    public Api.ClientPrincipalOptions ClientPrincipal { get; set; } = new();

    /// <summary>Export of traces and metrics over OTLP (OTEL_EXPORTER_OTLP_ENDPOINT) and/or to Azure Monitor
    /// (APPLICATIONINSIGHTS_CONNECTION_STRING, a secret: never logged); off unless one is set.</summary>
    public Telemetry.TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>How often <c>warden serve</c> runs the release guard over every active release; null: never (RELEASE_GUARD_INTERVAL=off).</summary>
    public TimeSpan? ReleaseGuardInterval { get; set; } = TimeSpan.FromMinutes(5);

    public static WardenSettings FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var settings = new WardenSettings();
        if (Value("WARDEN_DATA_DIR") is { } dir)
        {
            settings.DataDirectory = dir;
        }

        if (Value("WARDEN_SQLITE_SYNCHRONOUS") is { } sync)
        {
            settings.Synchronous = ParseSynchronous(sync) ?? throw new ConfigurationException($"WARDEN_SQLITE_SYNCHRONOUS must be FULL or NORMAL, not '{sync}'");
        }

        settings.BootstrapApiKey = Value("WARDEN_BOOTSTRAP_API_KEY");
        if (Value("WARDEN_CHAOS_CRASH") is { } crash)
        {
            settings.AllowChaosCrash = crash.Trim().ToLowerInvariant() switch
            {
                "allow" => true,
                "deny" => false,
                _ => throw new ConfigurationException($"WARDEN_CHAOS_CRASH must be allow or deny, not '{crash}'"),
            };
        }

        if (Value("WARDEN_STORE") is { } store)
        {
            settings.SelectStore(store, "WARDEN_STORE", read);
        }

        if (Value("WARDEN_URL") is { } url)
        {
            settings.Url = url;
        }

        if (Value("WARDEN_WORKERS") is { } workers)
        {
            settings.Workers = int.TryParse(workers, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 1024
                ? n
                : throw new ConfigurationException($"WARDEN_WORKERS must be a whole number from 1 to 1024, not '{workers}'");
        }

        if (Value("WARDEN_MAX_BODY_BYTES") is { } body)
        {
            settings.MaxBodyBytes = long.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ConfigurationException($"WARDEN_MAX_BODY_BYTES must be a positive whole number, not '{body}'");
        }

        settings.Guardrails = Runtime.Guardrails.GuardrailOptions.FromEnvironment(read);
        settings.Governance = Runtime.Governance.GovernanceDefaults.FromEnvironment(read);
        settings.ClientPrincipal = Api.ClientPrincipalOptions.FromEnvironment(read);
        settings.Telemetry = Runtime.Telemetry.TelemetryOptions.FromEnvironment(read);
        if (Value("TASK_ACK_TIMEOUT_SECONDS") is { } ack)
        {
            settings.Tasks = settings.Tasks with
            {
                AckTimeout = int.TryParse(ack, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is > 0 and <= 86_400
                    ? TimeSpan.FromSeconds(s)
                    : throw new ConfigurationException($"TASK_ACK_TIMEOUT_SECONDS must be a whole number from 1 to 86400, not '{ack}'"),
            };
        }

        if (Value("RELEASE_GUARD_INTERVAL") is { } guard)
        {
            settings.ReleaseGuardInterval = guard.Equals("off", StringComparison.OrdinalIgnoreCase)
                ? null
                : Core.Graphs.Durations.TryParse(guard, out var every) && every >= TimeSpan.FromSeconds(1)
                    ? every
                    : throw new ConfigurationException($"RELEASE_GUARD_INTERVAL must be a duration of at least 1s (e.g. 30s, 5m) or off, not '{guard}'");
        }

        if (Value("TASK_MAX_RETRIES") is { } retries)
        {
            settings.Tasks = settings.Tasks with
            {
                MaxRetries = int.TryParse(retries, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r <= 100
                    ? r
                    : throw new ConfigurationException($"TASK_MAX_RETRIES must be a whole number from 0 to 100, not '{retries}'"),
            };
        }

        return settings;

        string? Value(string name) => read(name) is { Length: > 0 } v ? v : null;
    }

    /// <summary>
    /// Applies WARDEN_STORE or --store: <c>sqlite</c> (the embedded store alone), <c>tables</c> (Azure Table Storage,
    /// the account named by WARDEN_TABLES_CONNECTION_STRING, WARDEN_TABLES_ENDPOINT or AzureWebJobsStorage, read through
    /// <paramref name="read"/>), or a PostgreSQL connection string. Case-insensitive; the message never repeats the text.
    /// </summary>
    public void SelectStore(string text, string setting, Func<string, string?>? read = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Trim().Equals("tables", StringComparison.OrdinalIgnoreCase))
        {
            Tables = TableStorage.FromSettings(read ?? Environment.GetEnvironmentVariable);
            Store = null;
        }
        else
        {
            Store = ParseStore(text, setting);
            Tables = null;
        }

        StoreSetting = setting;
    }

    /// <summary>
    /// WARDEN_STORE or --store for the SQL stores: <c>sqlite</c> (the embedded store alone; null), or a PostgreSQL
    /// connection string as a postgres:// URI or Npgsql key=value pairs, returned in Npgsql's form (<c>tables</c> is
    /// taken by <see cref="SelectStore"/>). The message never repeats the text.
    /// </summary>
    public static string? ParseStore(string text, string setting)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return Storage.Postgres.PostgresConnectionString.IsPostgres(text)
            ? Storage.Postgres.PostgresConnectionString.Normalize(text, setting)
            : throw new ConfigurationException($"{setting} must be sqlite, tables or a PostgreSQL connection string (postgres://user:password@host:port/database, or Host=...;Database=...)");
    }

    public static SqliteSynchronous? ParseSynchronous(string text) => text.ToUpperInvariant() switch
    {
        "FULL" => SqliteSynchronous.Full,
        "NORMAL" => SqliteSynchronous.Normal,
        _ => null,
    };
}

/// <summary>Configuration that cannot work; the message names the setting.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException()
    {
    }

    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
