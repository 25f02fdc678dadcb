using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Secrets;

/// <summary>
/// Secrets from Azure Key Vault. A setting's secret is named after it with dashes for underscores (Key Vault names
/// allow letters, digits and '-'): <c>OPENAI_API_KEY</c> is the secret <c>OPENAI-API-KEY</c>, as docs/deploy.md stores them.
/// Values, and "not set", are cached for the refresh interval; a failed refresh keeps serving the last value read.
/// A missing secret (404) is null; any other failure of a first read is a <see cref="ConfigurationException"/>
/// naming the secret and KEY_VAULT_URI, never the value.
/// </summary>
public sealed class KeyVaultSecretSource : ISecretSource
{
    public static readonly TimeSpan DefaultRefresh = TimeSpan.FromSeconds(300);

    private readonly SecretClient _client;
    private readonly TimeSpan _refresh;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    /// <summary>Reads <paramref name="vaultUri"/> as <paramref name="credential"/> (default: DefaultAzureCredential, e.g. a managed identity).</summary>
    /// <param name="options">Client options, e.g. a test transport; default: the SDK's.</param>
    public KeyVaultSecretSource(Uri vaultUri, TimeSpan? refresh = null, TimeProvider? clock = null, TokenCredential? credential = null, SecretClientOptions? options = null)
        : this(new SecretClient(vaultUri ?? throw new ArgumentNullException(nameof(vaultUri)), credential ?? new DefaultAzureCredential(), options ?? new SecretClientOptions()), refresh, clock)
    {
    }

    public KeyVaultSecretSource(SecretClient client, TimeSpan? refresh = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _refresh = refresh ?? DefaultRefresh;
        if (_refresh <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(refresh), "the refresh interval must be positive");
        }

        _clock = clock ?? TimeProvider.System;
    }

    public Uri VaultUri => _client.VaultUri;

    /// <summary>The Key Vault secret name of a setting: <c>OPENAI_API_KEY</c> → <c>OPENAI-API-KEY</c>.</summary>
    public static string SecretName(string setting)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(setting);
        return setting.Replace('_', '-');
    }

    public string? Get(string name)
    {
        var now = _clock.GetUtcNow();
        _cache.TryGetValue(name, out var cached);
        if (cached is not null && now - cached.ReadAt < _refresh)
        {
            return cached.Value;
        }

        string? value;
        try
        {
            value = Read(name);
        }
        catch (ConfigurationException) when (cached is not null)
        {
            // A vault blip after start-up: keep the last value rather than failing callers; retry on the next read.
            return cached.Value;
        }

        _cache[name] = new Entry(value, now);
        return value;
    }

    private string? Read(string name)
    {
        var secret = SecretName(name);
        try
        {
            return _client.GetSecret(secret).Value.Value is { Length: > 0 } value ? value : null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            // The failed response carries no secret value; the status and error code say why.
            throw new ConfigurationException($"Key Vault secret {secret} (for {name}) could not be read from KEY_VAULT_URI {VaultUri}: HTTP {e.Status}{(e.ErrorCode is null ? "" : " " + e.ErrorCode)}", e);
        }
        catch (AuthenticationFailedException e)
        {
            throw new ConfigurationException($"Key Vault secret {secret} (for {name}) could not be read from KEY_VAULT_URI {VaultUri}: no credential could sign in ({e.GetType().Name})", e);
        }
    }

    private sealed record Entry(string? Value, DateTimeOffset ReadAt);
}
