using System.ClientModel;
using System.Globalization;
using Azure.Identity;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Providers;

/// <summary>
/// Builds the real providers from environment variables; a provider joins only when its key (or endpoint) is set.
/// A half-configured provider fails start-up with a <see cref="ConfigurationException"/> naming the variable,
/// rather than failing every node later. Messages never contain a key's value.
/// <list type="bullet">
/// <item>OpenAI: <c>OPENAI_API_KEY</c>; optional <c>OPENAI_BASE_URL</c> (API root including /v1, for proxies and tests).</item>
/// <item>Anthropic: <c>ANTHROPIC_API_KEY</c>; optional <c>ANTHROPIC_BASE_URL</c> (API root without /v1).</item>
/// <item>Azure OpenAI, one resource: <c>AZURE_OPENAI_ENDPOINT</c> (resource URL; /openai/v1 is added), then either
/// <c>AZURE_OPENAI_API_KEY</c> or <c>AZURE_OPENAI_AUTH=entra</c> (DefaultAzureCredential); optional
/// <c>AZURE_OPENAI_DEPLOYMENT</c> (sent as the model; default: the node's model) and <c>AZURE_OPENAI_REGION</c> (a label).</item>
/// <item>Azure OpenAI, several regions: <c>AZURE_OPENAI_REGIONS=eastus,westeurope</c> (preference order), and per region
/// <c>AZURE_OPENAI_ENDPOINT_EASTUS</c>, <c>AZURE_OPENAI_API_KEY_EASTUS</c> (unless <c>AZURE_OPENAI_AUTH=entra</c>) and optional
/// <c>AZURE_OPENAI_DEPLOYMENT_EASTUS</c> (default: <c>AZURE_OPENAI_DEPLOYMENT</c>). The suffix is the region upper-cased, '-' as '_'.</item>
/// <item>All: optional <c>WARDEN_LLM_MAX_OUTPUT_TOKENS</c> (default 4096).</item>
/// </list>
/// </summary>
public static class ProviderConfiguration
{
    private static readonly string[] SingleResourcePartners = ["AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT", "AZURE_OPENAI_REGION", "AZURE_OPENAI_AUTH"];
    private static readonly string[] SingleResourceOnly = ["AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY"];

    /// <param name="read">Reads one variable; defaults to the process environment.</param>
    /// <param name="entraCredential">The Entra token source for <c>AZURE_OPENAI_AUTH=entra</c>; defaults to DefaultAzureCredential.</param>
    public static IReadOnlyList<ILlmClient> FromEnvironment(Func<string, string?>? read = null, AuthenticationTokenProvider? entraCredential = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        string? Value(string name) => read(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        var maxTokens = AgentPrompts.DefaultMaxOutputTokens;
        if (Value("WARDEN_LLM_MAX_OUTPUT_TOKENS") is { } text)
        {
            maxTokens = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 1_000_000
                ? n
                : throw new ConfigurationException($"WARDEN_LLM_MAX_OUTPUT_TOKENS must be a whole number from 1 to 1000000, not '{text}'");
        }

        var clients = new List<ILlmClient>();
        if (KeyWithOptionalUrl(Value, "OPENAI_API_KEY", "OPENAI_BASE_URL") is var (openAiKey, openAiUrl))
        {
            clients.Add(new OpenAiLlmClient(openAiKey, openAiUrl, maxTokens));
        }

        if (KeyWithOptionalUrl(Value, "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL") is var (anthropicKey, anthropicUrl))
        {
            clients.Add(new AnthropicLlmClient(anthropicKey, anthropicUrl, maxTokens));
        }

        clients.AddRange(AzureOpenAi(Value, maxTokens, entraCredential));
        return clients;
    }

    private static (string Key, Uri? Url)? KeyWithOptionalUrl(Func<string, string?> value, string keyVar, string urlVar)
    {
        var key = value(keyVar);
        var url = value(urlVar);
        if (key is null)
        {
            return url is null ? null : throw new ConfigurationException($"{urlVar} is set but {keyVar} is not; set {keyVar} or unset {urlVar}");
        }

        return (key, url is null ? null : Url(urlVar, url));
    }

    private static List<AzureOpenAiLlmClient> AzureOpenAi(Func<string, string?> value, int maxTokens, AuthenticationTokenProvider? entraCredential)
    {
        var entra = value("AZURE_OPENAI_AUTH")?.ToLowerInvariant() switch
        {
            null or "key" => false,
            "entra" => true,
            var auth => throw new ConfigurationException($"AZURE_OPENAI_AUTH must be 'key' or 'entra', not '{auth}'"),
        };
        var sharedDeployment = value("AZURE_OPENAI_DEPLOYMENT");
        var regions = value("AZURE_OPENAI_REGIONS");
        var clients = new List<AzureOpenAiLlmClient>();
        if (regions is null)
        {
            if (value("AZURE_OPENAI_ENDPOINT") is not { } endpoint)
            {
                var orphan = SingleResourcePartners.FirstOrDefault(n => value(n) is not null);
                return orphan is null ? clients : throw new ConfigurationException($"{orphan} is set but AZURE_OPENAI_ENDPOINT is not; set AZURE_OPENAI_ENDPOINT (or AZURE_OPENAI_REGIONS) or unset {orphan}");
            }

            clients.Add(Resource("", value("AZURE_OPENAI_REGION"), endpoint, sharedDeployment));
            return clients;
        }

        // With regions the unsuffixed names would be silently ignored; say so instead.
        if (SingleResourceOnly.FirstOrDefault(n => value(n) is not null) is { } unsuffixed)
        {
            throw new ConfigurationException($"{unsuffixed} is set together with AZURE_OPENAI_REGIONS; with regions, use {unsuffixed}_<REGION> for each region");
        }

        var names = regions.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0
            || names.Select(Suffix).Distinct().Count() != names.Length
            || !names.All(r => r.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new ConfigurationException($"AZURE_OPENAI_REGIONS must be a comma-separated list of distinct region names (letters, digits, '-'), not '{regions}'");
        }

        foreach (var region in names)
        {
            var suffix = Suffix(region);
            var endpoint = value("AZURE_OPENAI_ENDPOINT" + suffix)
                ?? throw new ConfigurationException($"AZURE_OPENAI_ENDPOINT{suffix} is not set but AZURE_OPENAI_REGIONS lists '{region}'");
            clients.Add(Resource(suffix, region.ToLowerInvariant(), endpoint, value("AZURE_OPENAI_DEPLOYMENT" + suffix) ?? sharedDeployment));
        }

        return clients;

        AzureOpenAiLlmClient Resource(string suffix, string? region, string endpoint, string? deployment)
        {
            var url = Url("AZURE_OPENAI_ENDPOINT" + suffix, endpoint);
            var keyVar = "AZURE_OPENAI_API_KEY" + suffix;
            var key = value(keyVar);
            if (entra && key is not null)
            {
                throw new ConfigurationException($"{keyVar} is set together with AZURE_OPENAI_AUTH=entra; choose one way to authenticate");
            }

            if (!entra && key is null)
            {
                throw new ConfigurationException($"{keyVar} is not set; set it to the resource's key, or set AZURE_OPENAI_AUTH=entra to use Microsoft Entra ID");
            }

            // The SDK refuses to send bearer tokens over plain HTTP; say so now rather than on every call.
            if (entra && url.Scheme != Uri.UriSchemeHttps)
            {
                throw new ConfigurationException($"AZURE_OPENAI_ENDPOINT{suffix} must be an https:// URL when AZURE_OPENAI_AUTH=entra");
            }

            // One credential for all regions so Entra tokens are cached once, not per resource.
            entraCredential ??= entra ? new DefaultAzureCredential() : null;
            return new AzureOpenAiLlmClient(url, key, deployment, region, maxTokens, entraCredential);
        }
    }

    /// <summary>Names a region's variables: <c>west-europe</c> reads <c>AZURE_OPENAI_ENDPOINT_WEST_EUROPE</c>.</summary>
    private static string Suffix(string region) => "_" + region.ToUpperInvariant().Replace('-', '_');

    /// <summary>The value is not echoed: a URL can carry a key in its query string.</summary>
    private static Uri Url(string variable, string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw new ConfigurationException($"{variable} must be an absolute http:// or https:// URL");
}
