using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Guardrails.CircuitBreaker;

namespace Warden.Runtime.Guardrails;

/// <summary>
/// Everything admission reads from configuration (strategy, breaker and rate settings, prices, provider
/// regions), captured for one graph when a run starts. A host whose run logic must replay identically (the
/// Durable orchestrator) carries this in the run's input instead of reading configuration mid-run.
/// Wire contract: part of a persisted orchestration input, so changes are additive.
/// </summary>
public sealed record AdmissionPolicy(
    ProviderStrategy Strategy,
    CircuitBreakerOptions Breaker,
    int LlmCallsPerMinute,
    int ExpectedOutputTokens,
    IReadOnlyDictionary<string, ModelPrice> Prices,
    ModelPrice FallbackPrice,
    IReadOnlyDictionary<string, IReadOnlyList<ProviderChoice>> Expansions)
{
    /// <param name="expand">How a preference without a region stands for each configured region (<c>ProviderRegistry.Expand</c>).</param>
    public static AdmissionPolicy For(GraphDefinition graph, GuardrailOptions options, PriceTable prices, Func<ProviderChoice, IEnumerable<ProviderChoice>> expand)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(expand);
        var expansions = new Dictionary<string, IReadOnlyList<ProviderChoice>>(StringComparer.Ordinal);
        foreach (var choice in graph.Nodes.Where(n => n.Kind == NodeKind.Agent).SelectMany(n => n.Candidates))
        {
            expansions.TryAdd(choice.ToString(), expand(choice).ToList());
        }

        var models = expansions.Values.SelectMany(e => e).Select(c => c.Model).Distinct(StringComparer.OrdinalIgnoreCase);
        return new AdmissionPolicy(
            options.Strategy,
            options.Breaker,
            options.LlmCallsPerMinute,
            options.ExpectedOutputTokens,
            models.ToDictionary(m => m, prices.PriceOf, StringComparer.OrdinalIgnoreCase),
            prices.Fallback,
            expansions);
    }

    public PriceTable PriceTable() => new(Prices, FallbackPrice);

    /// <summary>The candidates with each region-less preference replaced by its regions, as the registry expanded it at start.</summary>
    public List<ProviderChoice> Expand(IEnumerable<ProviderChoice> candidates) =>
        candidates.SelectMany(c => Expansions.TryGetValue(c.ToString(), out var regions) ? regions : [c]).Distinct().ToList();
}
