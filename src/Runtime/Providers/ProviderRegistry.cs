namespace Warden.Runtime.Providers;

/// <summary>
/// The configured providers by name and region. Mock is always there; real providers join when their keys
/// are set. Several clients may share a name (one per region).
/// </summary>
public sealed class ProviderRegistry
{
    private readonly List<ILlmClient> _clients;

    public ProviderRegistry(IEnumerable<ILlmClient> clients)
    {
        _clients = clients.ToList();
    }

    public IReadOnlyCollection<string> Names => _clients.Select(c => c.Region is null ? c.Name : $"{c.Name}@{c.Region}").ToList();

    /// <summary>The client for a provider (and region, when given; else its first region).</summary>
    public ILlmClient Resolve(string provider, string? region = null) =>
        _clients.FirstOrDefault(c => string.Equals(c.Name, provider, StringComparison.OrdinalIgnoreCase)
                && (region is null || string.Equals(c.Region, region, StringComparison.OrdinalIgnoreCase)))
            ?? throw new LlmException(
                $"provider '{provider}{(region is null ? string.Empty : "@" + region)}' is not configured; configured: {string.Join(", ", Names.Order())}",
                retryable: false);
}
