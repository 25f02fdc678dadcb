namespace Warden.Runtime.Providers;

/// <summary>The configured providers by name. Mock is always there; real providers join when their keys are set.</summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, ILlmClient> _clients;

    public ProviderRegistry(IEnumerable<ILlmClient> clients)
    {
        _clients = clients.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyCollection<string> Names => _clients.Keys;

    public ILlmClient Resolve(string provider) =>
        _clients.TryGetValue(provider, out var client)
            ? client
            : throw new LlmException($"provider '{provider}' is not configured; configured: {string.Join(", ", _clients.Keys.Order())}", retryable: false);
}
