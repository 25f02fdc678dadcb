using System.Globalization;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Secrets;

/// <summary>
/// Builds the settings reader hosts pass to <see cref="WardenSettings.FromEnvironment"/> and
/// <see cref="Providers.ProviderConfiguration.FromEnvironment"/>.
/// <list type="bullet">
/// <item><c>SECRET_BACKEND=env</c> (default): everything comes from the host's settings, as before.</item>
/// <item><c>SECRET_BACKEND=keyvault</c>: the secret settings (<see cref="IsSecret"/>) come from the Key Vault at
/// <c>KEY_VAULT_URI</c> only, as DefaultAzureCredential (a managed identity in Azure); an environment value for them is
/// ignored, so the vault is the one place a key lives (and an unresolved App Service Key Vault reference is never used
/// as a key). Other settings still come from the host's settings. Values are cached for <c>SECRET_REFRESH_SECONDS</c>
/// (default 300).</item>
/// </list>
/// With Key Vault, a provider whose other settings are present but whose key is missing from the vault stops start-up
/// with one line naming the secret.
/// </summary>
public static class SecretResolution
{
    /// <summary>The settings that are secrets, besides the per-region <c>AZURE_OPENAI_API_KEY_&lt;REGION&gt;</c>.</summary>
    public static readonly IReadOnlyList<string> SecretSettings =
    [
        "OPENAI_API_KEY",
        "AZURE_OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "WARDEN_STORE",
        "WARDEN_TABLES_CONNECTION_STRING",
        "SLACK_WEBHOOK_URL",
        "WARDEN_BOOTSTRAP_API_KEY",
    ];

    public static bool IsSecret(string name) =>
        SecretSettings.Contains(name, StringComparer.Ordinal)
        || (name.StartsWith("AZURE_OPENAI_API_KEY_", StringComparison.Ordinal) && name.Length > "AZURE_OPENAI_API_KEY_".Length);

    /// <summary>
    /// The reader for <paramref name="read"/>'s host. With <c>SECRET_BACKEND=env</c> that is <paramref name="read"/> itself.
    /// </summary>
    /// <param name="keyVault">Builds the Key Vault source from KEY_VAULT_URI and the refresh interval (tests inject a transport);
    /// default: <see cref="KeyVaultSecretSource"/> with DefaultAzureCredential.</param>
    public static Func<string, string?> Resolve(Func<string, string?>? read = null, TimeProvider? clock = null, Func<Uri, TimeSpan, ISecretSource>? keyVault = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        string? Value(string name) => read(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        var backend = Value("SECRET_BACKEND")?.ToLowerInvariant();
        if (backend is null or "env")
        {
            return read;
        }

        if (backend != "keyvault")
        {
            throw new ConfigurationException($"SECRET_BACKEND must be env or keyvault, not '{Value("SECRET_BACKEND")}'");
        }

        var uriText = Value("KEY_VAULT_URI") ?? throw new ConfigurationException("KEY_VAULT_URI is not set but SECRET_BACKEND=keyvault; set it to the vault's URI (https://NAME.vault.azure.net/)");
        if (!Uri.TryCreate(uriText, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ConfigurationException("KEY_VAULT_URI must be an absolute https:// URL (https://NAME.vault.azure.net/)");
        }

        var refresh = KeyVaultSecretSource.DefaultRefresh;
        if (Value("SECRET_REFRESH_SECONDS") is { } seconds)
        {
            refresh = int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is > 0 and <= 86_400
                ? TimeSpan.FromSeconds(s)
                : throw new ConfigurationException($"SECRET_REFRESH_SECONDS must be a whole number from 1 to 86400, not '{seconds}'");
        }

        var source = keyVault?.Invoke(uri, refresh) ?? new KeyVaultSecretSource(uri, refresh, clock);
        string? Resolved(string name) => IsSecret(name) ? source.Get(name) : read(name);
        RequireProviderKeys(Resolved, uri);
        return Resolved;
    }

    /// <summary>
    /// Fails start-up when a provider is configured apart from its key and the key is not in the vault, naming the
    /// secret to add. (<see cref="Providers.ProviderConfiguration"/> names the setting; with Key Vault the secret name is what to fix.)
    /// </summary>
    private static void RequireProviderKeys(Func<string, string?> read, Uri vault)
    {
        string? Value(string name) => read(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v : null;
        void Require(string partner, string key)
        {
            if (Value(partner) is not null && Value(key) is null)
            {
                throw new ConfigurationException($"{partner} is set but Key Vault secret {KeyVaultSecretSource.SecretName(key)} (for {key}) is missing from KEY_VAULT_URI {vault}");
            }
        }

        Require("OPENAI_BASE_URL", "OPENAI_API_KEY");
        Require("ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY");
        if (string.Equals(Value("AZURE_OPENAI_AUTH"), "entra", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (Value("AZURE_OPENAI_REGIONS") is not { } regions)
        {
            Require("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY");
            return;
        }

        foreach (var region in regions.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var suffix = "_" + region.ToUpperInvariant().Replace('-', '_');
            Require("AZURE_OPENAI_ENDPOINT" + suffix, "AZURE_OPENAI_API_KEY" + suffix);
        }
    }
}
