using System.Collections.Concurrent;

namespace Warden.Runtime.Engine;

/// <summary>Wakes waiters (live streams, synchronous starts) when a run's decision commits.</summary>
public sealed class RunNotifier
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    public void Notify(string runId)
    {
        if (_waiters.TryRemove(runId, out var tcs))
        {
            tcs.TrySetResult();
        }
    }

    public async Task WaitAsync(string runId, TimeSpan timeout, CancellationToken ct)
    {
        var tcs = _waiters.GetOrAdd(runId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await tcs.Task.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            // A timeout just means "look again": callers re-read the run either way.
        }
    }
}
