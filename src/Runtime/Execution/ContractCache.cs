using System.Collections.Concurrent;
using System.Globalization;
using Warden.Core.Contracts;

namespace Warden.Runtime.Execution;

/// <summary>
/// Compiled contracts by their text: an invocation arrives deserialized (a new <see cref="NodeContract"/> each time),
/// and building schemas and regexes costs far more than checking with them. Bounded: a host that sees more distinct
/// contracts than the limit starts over.
/// </summary>
public sealed class ContractCache
{
    private const int Limit = 1024;
    private readonly ConcurrentDictionary<string, CompiledContract> _compiled = new(StringComparer.Ordinal);

    public CompiledContract Get(NodeContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var key = Key(contract);
        if (_compiled.TryGetValue(key, out var hit))
        {
            return hit;
        }

        if (_compiled.Count >= Limit)
        {
            _compiled.Clear();
        }

        return _compiled.GetOrAdd(key, _ => CompiledContract.Compile(contract));
    }

    private static string Key(NodeContract c) => string.Join(
        '\u001f',
        c.Name,
        c.InputSchema,
        c.OutputSchema,
        c.MaxOutputTokens?.ToString(CultureInfo.InvariantCulture),
        c.Citations?.Min.ToString(CultureInfo.InvariantCulture),
        c.Citations?.Pattern,
        string.Join('\u001e', c.Forbidden ?? []));
}
