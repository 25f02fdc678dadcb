namespace Warden.Core.Costs;

/// <summary>Tokens and their price for one call, one node, or a whole run.</summary>
public sealed record Usage(long InputTokens, long OutputTokens, decimal CostUsd)
{
    public static Usage Zero { get; } = new(0, 0, 0m);

    public long TotalTokens => InputTokens + OutputTokens;

    public static Usage operator +(Usage left, Usage right) =>
        new(left.InputTokens + right.InputTokens, left.OutputTokens + right.OutputTokens, left.CostUsd + right.CostUsd);

    public Usage Add(Usage other) => this + other;
}
