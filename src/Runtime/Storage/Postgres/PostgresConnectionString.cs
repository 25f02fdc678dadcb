using System.Globalization;
using Npgsql;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Storage.Postgres;

/// <summary>
/// What WARDEN_STORE (or <c>warden serve --store</c>) may hold for PostgreSQL: a libpq URI
/// (<c>postgres://user:password@host:port/database?sslmode=require</c>, the form Azure and most hosts hand out) or an
/// Npgsql key=value string (<c>Host=...;Database=...;Username=...</c>). Messages name the setting and the server, never
/// the password: the text itself is never echoed.
/// </summary>
public static class PostgresConnectionString
{
    /// <summary>Whether the text is meant for PostgreSQL: a postgres URI, or key=value pairs.</summary>
    public static bool IsPostgres(string text) =>
        IsUri(text) || text.Contains('=', StringComparison.Ordinal);

    /// <summary>The Npgsql connection string for <paramref name="text"/>.</summary>
    /// <param name="setting">Named in the message when the text cannot be used (WARDEN_STORE, --store).</param>
    /// <exception cref="ConfigurationException">The text is not a usable PostgreSQL connection string.</exception>
    public static string Normalize(string text, string setting)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = IsUri(text) ? FromUri(text, setting) : FromKeyValue(text, setting);
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new ConfigurationException($"{setting} names no PostgreSQL host (postgres://user:password@host:port/database, or Host=...;Database=...)");
        }

        return builder.ConnectionString;
    }

    /// <summary>host:port/database as user: enough to say which server, without the password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database} as {builder.Username}");
    }

    private static bool IsUri(string text) =>
        text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    private static NpgsqlConnectionStringBuilder FromKeyValue(string text, string setting)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (ArgumentException)
        {
            // Npgsql's message may quote the text, password included.
            throw new ConfigurationException($"{setting} is not a valid PostgreSQL connection string (an unknown key or a malformed value)");
        }
    }

    private static NpgsqlConnectionStringBuilder FromUri(string text, string setting)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ConfigurationException($"{setting} is not a valid postgres:// URI (expected postgres://user:password@host:port/database)");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.IdnHost, Port = uri.Port > 0 ? uri.Port : 5432 };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            Apply(builder, key, value, setting);
        }

        return builder;
    }

    /// <summary>libpq's URI parameters under their Npgsql names; anything else must be an Npgsql keyword.</summary>
    private static void Apply(NpgsqlConnectionStringBuilder builder, string key, string value, string setting)
    {
        try
        {
            switch (key.ToLowerInvariant())
            {
                case "sslmode":
                    builder.SslMode = value.ToLowerInvariant() switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new ConfigurationException($"{setting}: sslmode must be disable, allow, prefer, require, verify-ca or verify-full, not '{value}'"),
                    };
                    break;
                case "sslrootcert":
                    builder.RootCertificate = value;
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "connect_timeout":
                    builder.Timeout = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "target_session_attrs":
                    builder.TargetSessionAttributes = value;
                    break;
                case "user":
                    builder.Username = value;
                    break;
                case "password":
                    builder.Password = value;
                    break;
                case "dbname":
                    builder.Database = value;
                    break;
                default:
                    builder[key] = value;
                    break;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            throw new ConfigurationException($"{setting}: the URI parameter '{key}' is unknown or has an invalid value");
        }
    }
}
