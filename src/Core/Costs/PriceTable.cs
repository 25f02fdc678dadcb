namespace Warden.Core.Costs;

/// <summary>Price per 1K input and output tokens for a model.</summary>
public sealed record ModelPrice(decimal InputPer1K, decimal OutputPer1K);

/// <summary>Prices tokens by model. Unknown models fall back to the table's default price.</summary>
public sealed class PriceTable
{
    private readonly Dictionary<string, ModelPrice> _prices;

    public PriceTable(IReadOnlyDictionary<string, ModelPrice> prices, ModelPrice fallback)
    {
        _prices = new Dictionary<string, ModelPrice>(prices, StringComparer.OrdinalIgnoreCase);
        Fallback = fallback;
    }

    /// <summary>List prices in USD per 1K tokens; override per deployment in configuration.</summary>
    public static PriceTable Default { get; } = new(
        new Dictionary<string, ModelPrice>
        {
            ["mock-1"] = new(0.0005m, 0.0015m),
            ["gpt-4o"] = new(0.0025m, 0.01m),
            ["gpt-4o-mini"] = new(0.00015m, 0.0006m),
            ["gpt-4.1"] = new(0.002m, 0.008m),
            ["gpt-4.1-mini"] = new(0.0004m, 0.0016m),
            ["claude-sonnet-4-5"] = new(0.003m, 0.015m),
            ["claude-haiku-4-5"] = new(0.001m, 0.005m),
        },
        new ModelPrice(0.001m, 0.003m));

    public ModelPrice Fallback { get; }

    public ModelPrice PriceOf(string model) => _prices.TryGetValue(model, out var price) ? price : Fallback;

    public Usage Price(string model, long inputTokens, long outputTokens)
    {
        var price = PriceOf(model);
        var cost = (inputTokens * price.InputPer1K / 1000m) + (outputTokens * price.OutputPer1K / 1000m);
        return new Usage(inputTokens, outputTokens, decimal.Round(cost, 8));
    }
}
