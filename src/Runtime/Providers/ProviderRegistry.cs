using Warden.Core.Graphs;

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

    /// <summary>The provider's client in a region, or its preferred (first) region when none is named.</summary>
    public ILlmClient Resolve(string provider, string? region = null)
    {
        var regions = Regions(provider);
        return region is null
            ? regions[0]
            : regions.FirstOrDefault(c => string.Equals(c.Region, region, StringComparison.OrdinalIgnoreCase))
                ?? throw new LlmException($"provider '{provider}' has no region '{region}'; configured: {string.Join(", ", regions.Select(c => c.Region ?? "(global)"))}", retryable: false);
    }

    /// <summary>Every client of the provider in preference order, for region fallback.</summary>
    public IReadOnlyList<ILlmClient> Regions(string provider) =>
        _clients.TryGetValue(provider, out var clients)
            ? clients
            : throw new LlmException($"provider '{provider}' is not configured; configured: {string.Join(", ", _clients.Keys.Order())}", retryable: false);

    /// <summary>
    /// A preference without a region stands for every region of that provider, in order; with a region, or for an
    /// unknown provider, it stands for itself. Breakers and calls then agree on provider@region keys.
    /// </summary>
    public IEnumerable<ProviderChoice> Expand(ProviderChoice choice) =>
        choice.Region is null && _clients.TryGetValue(choice.Provider, out var clients)
            ? clients.Select(c => choice with { Region = c.Region })
            : [choice];
}
