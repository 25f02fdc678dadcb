using System.Text.RegularExpressions;
using Json.Schema;

namespace Warden.Core.Contracts;

/// <summary>
/// A <see cref="NodeContract"/> with its schemas built and patterns compiled, ready to check many attempts. Build one
/// per contract and keep it: compiling costs far more than checking.
/// </summary>
public sealed class CompiledContract
{
    private CompiledContract(NodeContract contract)
    {
        Contract = contract;
        InputSchema = contract.InputSchema is { } input ? JsonSchemas.Build(input) : null;
        OutputSchema = contract.OutputSchema is { } output ? JsonSchemas.Build(output) : null;
        Citations = contract.Citations is { } citations ? SafeRegex.Create(citations.Pattern) : null;
        Forbidden = (contract.Forbidden ?? []).Select(SafeRegex.Create).ToList();
    }

    public NodeContract Contract { get; }

    public JsonSchema? InputSchema { get; }

    public JsonSchema? OutputSchema { get; }

    public Regex? Citations { get; }

    public IReadOnlyList<Regex> Forbidden { get; }

    /// <summary>Compiles a contract the graph parser has accepted; throws <see cref="ArgumentException"/> for one it would not.</summary>
    public static CompiledContract Compile(NodeContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        return new CompiledContract(contract);
    }
}
