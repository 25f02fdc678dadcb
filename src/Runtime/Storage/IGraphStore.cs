namespace Warden.Runtime.Storage;

/// <summary>Graphs and their immutable versions, per tenant.</summary>
public interface IGraphStore
{
    /// <summary>Stores a new version unless the latest one has the same content; returns it and whether it is new.</summary>
    Task<(GraphVersionRecord Version, bool Created)> SaveVersionAsync(string tenantId, string graphId, string? description, string source, string format, CancellationToken ct = default);

    Task<IReadOnlyList<GraphRecord>> ListAsync(string tenantId, CancellationToken ct = default);

    Task<GraphRecord?> GetAsync(string tenantId, string graphId, CancellationToken ct = default);

    /// <summary>A version of a graph; the latest when <paramref name="version"/> is null.</summary>
    Task<GraphVersionRecord?> GetVersionAsync(string tenantId, string graphId, long? version, CancellationToken ct = default);

    Task<IReadOnlyList<GraphVersionRecord>> ListVersionsAsync(string tenantId, string graphId, CancellationToken ct = default);
}
