using Azure.Core;
using Azure.Identity;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Telemetry;

/// <summary>
/// Export to Azure Monitor (Application Insights), on when APPLICATIONINSIGHTS_CONNECTION_STRING is set.
/// APPLICATIONINSIGHTS_AUTHENTICATION_STRING (<c>Authorization=AAD</c>, optionally <c>;ClientId=&lt;client id&gt;</c>,
/// the form the Functions host reads too) makes the exporter sign in with Microsoft Entra ID, which an Application
/// Insights resource with local authentication disabled requires; the identity needs Monitoring Metrics Publisher.
/// <para>
/// The connection string is treated as a secret: it holds the resource's instrumentation key, which is all a writer
/// needs where local authentication is on. It never appears in <see cref="ToString"/> or in an error message. It is
/// not one of the Key Vault-resolved settings (<see cref="Secrets.SecretResolution.SecretSettings"/>): the Functions
/// host reads the same app setting for its own telemetry, and a local host with SECRET_BACKEND=keyvault would
/// otherwise start sending to the deployed resource.
/// </para>
/// </summary>
public sealed record AzureMonitorOptions
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    public AzureMonitorOptions(string connectionString, bool entraId = false, string? clientId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ConnectionString = connectionString;
        EntraId = entraId;
        ClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId;
    }

    /// <summary>The resource's connection string (secret; see the type's remarks).</summary>
    public string ConnectionString { get; }

    /// <summary>Send with a Microsoft Entra token instead of the instrumentation key alone.</summary>
    public bool EntraId { get; }

    /// <summary>The user-assigned managed identity to sign in as; null means DefaultAzureCredential's choice.</summary>
    public string? ClientId { get; }

    /// <summary>Reads the two settings; null when the connection string is not set. Messages never contain a value.</summary>
    public static AzureMonitorOptions? FromEnvironment(Func<string, string?> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var connection = Value(ConnectionStringSetting);
        var authentication = Value(AuthenticationStringSetting);
        if (connection is null)
        {
            return null;
        }

        var parts = Pairs(connection, ConnectionStringSetting);
        if (!parts.TryGetValue("InstrumentationKey", out var key) || !Guid.TryParse(key, out _))
        {
            throw new ConfigurationException($"{ConnectionStringSetting} must contain InstrumentationKey=<guid> (copy it from the Application Insights resource)");
        }

        if (parts.TryGetValue("IngestionEndpoint", out var ingestion)
            && !(Uri.TryCreate(ingestion, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            throw new ConfigurationException($"{ConnectionStringSetting} has an IngestionEndpoint that is not an http:// or https:// URL");
        }

        if (authentication is null)
        {
            return new AzureMonitorOptions(connection);
        }

        var auth = Pairs(authentication, AuthenticationStringSetting);
        if (!auth.TryGetValue("Authorization", out var kind) || !kind.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigurationException($"{AuthenticationStringSetting} must be Authorization=AAD, optionally with ;ClientId=<client id of a user-assigned identity>");
        }

        return new AzureMonitorOptions(connection, entraId: true, auth.GetValueOrDefault("ClientId"));

        string? Value(string name) => read(name) is { Length: > 0 } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
    }

    /// <summary>The credential the exporter signs in with, or null to send with the instrumentation key alone.</summary>
    public TokenCredential? Credential() => EntraId
        ? new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ClientId })
        : null;

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("ConnectionString = [redacted], EntraId = ").Append(EntraId);
        if (ClientId is not null)
        {
            builder.Append(", ClientId = ").Append(ClientId);
        }

        return true;
    }

    /// <summary><c>Key=Value;Key=Value</c>, keys case-insensitive. The text is never echoed.</summary>
    private static Dictionary<string, string> Pairs(string text, string setting)
    {
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !pairs.TryAdd(part[..equals].Trim(), part[(equals + 1)..].Trim()))
            {
                throw new ConfigurationException($"{setting} must be Key=Value pairs separated by ';', each key once");
            }
        }

        return pairs;
    }
}
