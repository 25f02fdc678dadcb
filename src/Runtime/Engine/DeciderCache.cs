using System.Collections.Concurrent;
using Warden.Core.Graphs;
using Warden.Core.Runs;

namespace Warden.Runtime.Engine;

/// <summary>Graph versions are immutable, so each one is parsed and compiled once per process.</summary>
public sealed class DeciderCache
{
    private readonly ConcurrentDictionary<(string Tenant, string Graph, long Version), RunDecider> _deciders = new();

    public RunDecider GetOrAdd(string tenantId, string graphId, long version, Func<string> loadSource) =>
        _deciders.GetOrAdd((tenantId, graphId, version), _ => new RunDecider(GraphParser.Parse(loadSource())));
}
