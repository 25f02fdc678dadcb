namespace Warden.Runtime.Releases;

/// <summary>
/// The divergence scores of a graph's shadow pairs (primary run vs its shadow run of the candidate), each in [0,1]
/// where 1 is "answered the same way". The release guard's shadow_divergence objective reads them.
/// </summary>
public interface IShadowScores
{
    /// <summary>Scores of the pairs whose shadow ran <paramref name="shadowSnapshotId"/> (any when null), scored in [since, until).</summary>
    Task<IReadOnlyList<double>> ScoresAsync(string tenantId, string graphId, string? shadowSnapshotId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default);
}

/// <summary>Until shadow runs are configured on a host, there are no pairs to score.</summary>
public sealed class NoShadowScores : IShadowScores
{
    public Task<IReadOnlyList<double>> ScoresAsync(string tenantId, string graphId, string? shadowSnapshotId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<double>>([]);
}
