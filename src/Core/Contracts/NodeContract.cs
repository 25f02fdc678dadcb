namespace Warden.Core.Contracts;

/// <summary>
/// What a node promises on every attempt: its input and output valid against JSON Schemas (draft 2020-12), at most
/// so many output tokens, at least so many citations, and no match for any forbidden pattern. Written under a node's
/// <c>contract:</c> (inline, by name from the graph's <c>contracts:</c>, or from a file the CLI inlines). It travels
/// in persisted invocations, so it holds texts, not compiled forms; members are additive.
/// </summary>
/// <param name="Name">The contract's name in the graph's <c>contracts:</c> map or its file; null when written inline.</param>
/// <param name="InputSchema">JSON Schema text the node's input must satisfy (see <see cref="ContractInput"/>).</param>
/// <param name="OutputSchema">JSON Schema text the node's output must satisfy (see <see cref="ContractValues"/>).</param>
/// <param name="Forbidden">Patterns no output may match (non-backtracking regular expressions).</param>
public sealed record NodeContract(
    string? Name,
    string? InputSchema,
    string? OutputSchema,
    long? MaxOutputTokens,
    CitationRule? Citations,
    IReadOnlyList<string>? Forbidden)
{
    public const string ViolatedCode = "CONTRACT_VIOLATED";

    /// <summary>How the contract is named in messages.</summary>
    public string Label => Name is null ? "contract" : $"contract '{Name}'";
}

/// <summary>At least <paramref name="Min"/> distinct citations, each a match of <paramref name="Pattern"/>.</summary>
public sealed record CitationRule(int Min, string Pattern)
{
    /// <summary>A bracketed reference such as <c>[1]</c>, <c>[doc#section]</c> or <c>[kb/runbook#rollback]</c>.</summary>
    public const string DefaultPattern = @"\[[A-Za-z0-9][^\[\]\r\n]{0,80}\]";
}

/// <summary>One broken rule: which (<c>output_schema</c>, <c>forbidden[1]</c> ...), what it expected, what the attempt did.</summary>
public sealed record ContractViolation(string Rule, string Expected, string Actual)
{
    public override string ToString() => $"{Rule}: expected {Expected}, got {Actual}";
}
