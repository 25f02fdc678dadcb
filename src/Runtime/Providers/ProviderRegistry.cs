namespace Warden.Runtime.Providers;

/// <summary>
/// The configured providers by name. Mock is always there; real providers join when their keys are set.
/// A provider may have several clients, one per region (Azure OpenAI), kept in preference order.
/// </summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, List<ILlmClient>> _clients = new(StringComparer.OrdinalIgnoreCase);

    public ProviderRegistry(IEnumerable<ILlmClient> clients)
    {
        foreach (var client in clients)
        {
            if (!_clients.TryGetValue(client.Name, out var regions))
            {
                _clients[client.Name] = regions = [];
            }

            if (regions.Any(c => string.Equals(c.Region, client.Region, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ArgumentException($"provider '{client.Name}' is registered twice for region '{client.Region ?? "(none)"}'", nameof(clients));
            }

            regions.Add(client);
        }
    }

    public IReadOnlyCollection<string> Names => _clients.Keys;

    /// <summary>The provider's preferred client: its first region.</summary>
    public ILlmClient Resolve(string provider) => Regions(provider)[0];

    /// <summary>Every client of the provider in preference order, for region fallback.</summary>
    public IReadOnlyList<ILlmClient> Regions(string provider) =>
        _clients.TryGetValue(provider, out var clients)
            ? clients
            : throw new LlmException($"provider '{provider}' is not configured; configured: {string.Join(", ", _clients.Keys.Order())}", retryable: false);
}
