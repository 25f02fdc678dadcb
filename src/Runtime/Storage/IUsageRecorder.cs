using Warden.Core.Runs;

namespace Warden.Runtime.Storage;

/// <summary>
/// Writes provider calls made outside a run's steps (the judge's) into the same usage rows, keyed like a step's
/// (run/node/visit/attempt/call), so they count once for the tenant's usage and budgets.
/// </summary>
public interface IUsageRecorder
{
    Task RecordUsageAsync(NodeInvocation invocation, IReadOnlyList<ProviderCall> calls, CancellationToken ct = default);
}

/// <summary>Usage through the run projection: the Functions host's rows in Table Storage.</summary>
public sealed class ProjectionUsageRecorder(IRunProjection projection, TimeProvider clock) : IUsageRecorder
{
    public Task RecordUsageAsync(NodeInvocation invocation, IReadOnlyList<ProviderCall> calls, CancellationToken ct = default) =>
        projection.RecordUsageAsync(invocation, calls, clock.GetUtcNow(), ct);
}
