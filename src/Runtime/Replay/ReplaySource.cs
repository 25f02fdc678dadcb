using System.Collections.Concurrent;
using Warden.Core.Runs.Replay;

namespace Warden.Runtime.Replay;

/// <summary>
/// Where the node executor finds a replayed run's recording. Recordings are immutable (their id is their content's
/// hash), so each is read once and its index kept; a few dozen at most, the working set of a suite or a CI job.
/// </summary>
public sealed class ReplaySource(IRecordingStore store)
{
    /// <summary>The provider name a replayed response carries in the run's node state and timeline.</summary>
    public const string ProviderName = ReplayCodes.Provider;

    /// <summary>The error code of an attempt that found no recorded response under <c>on_miss: fail</c>.</summary>
    public const string MissCode = ReplayCodes.Miss;

    private const int MaxCached = 64;
    private readonly ConcurrentDictionary<(string Tenant, string Id), RecordingIndex> _cache = new();

    /// <summary>The tenant's recording, indexed; null when the tenant has no such recording.</summary>
    public async Task<RecordingIndex?> FindAsync(string tenantId, string recordingId, CancellationToken ct)
    {
        if (_cache.TryGetValue((tenantId, recordingId), out var cached))
        {
            return cached;
        }

        if (await store.GetAsync(tenantId, recordingId, ct) is not { } recording)
        {
            return null;
        }

        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        return _cache.GetOrAdd((tenantId, recordingId), new RecordingIndex(recording));
    }
}
