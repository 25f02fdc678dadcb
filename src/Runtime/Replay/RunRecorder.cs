using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Core.Runs.Replay;
using Warden.Core.Serialization;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Replay;

/// <summary>
/// Turns a stored run into a <see cref="Recording"/>, and exact-replays it: its recorded decider inputs, its graph
/// version and its timeline, read through the tenant's stores, handed to the pure builders in Core.
/// </summary>
public sealed class RunRecorder(IRunHistoryStore histories, IRunStore runs, IGraphStore graphs)
{
    private const int EventPage = 1000;

    /// <summary>Null when the run is not the tenant's; <see cref="RecordingUnavailableException"/> when it kept no inputs.</summary>
    public async Task<Recording?> RecordAsync(string tenantId, string runId, CancellationToken ct)
    {
        if (await LoadAsync(tenantId, runId, ct) is not { } loaded)
        {
            return null;
        }

        var (run, history, decider) = loaded;
        var state = WardenJson.Deserialize<RunState>(run.State);
        return RecordingBuilder.Build(decider, history.Start, history.StartedAt, history.Events, state.Status, state.Output);
    }

    public async Task<ExactReplayReport?> ReplayExactAsync(string tenantId, string runId, CancellationToken ct)
    {
        if (await LoadAsync(tenantId, runId, ct) is not { } loaded)
        {
            return null;
        }

        var (run, history, decider) = loaded;
        var timeline = new List<TimelineEntry>();
        for (long after = 0; ;)
        {
            var page = await runs.ListEventsAsync(tenantId, runId, after, EventPage, ct);
            timeline.AddRange(page.Select(e => new TimelineEntry(
                e.Type,
                DateTimeOffset.Parse(e.At, System.Globalization.CultureInfo.InvariantCulture),
                e.NodeId,
                e.Attempt is { } attempt ? (int)attempt : null,
                e.Data is null ? null : WardenJson.Deserialize<Dictionary<string, string>>(e.Data))));
            if (page.Count < EventPage)
            {
                break;
            }

            after = page[^1].Seq;
        }

        var status = WardenJson.Deserialize<RunState>(run.State).Status;
        return ExactReplayer.Replay(decider, history.Start, history.StartedAt, history.Events, timeline, status);
    }

    private async Task<(RunRecord Run, RunHistory History, RunDecider Decider)?> LoadAsync(string tenantId, string runId, CancellationToken ct)
    {
        if (await runs.GetAsync(tenantId, runId, ct) is not { } run)
        {
            return null;
        }

        var history = await histories.LoadAsync(tenantId, runId, ct)
            ?? throw new RecordingUnavailableException($"run {runId} has no recorded history (it started before this build recorded runs, or on a host that does not)");
        var version = await graphs.GetVersionAsync(tenantId, run.GraphId, run.GraphVersion, ct)
            ?? throw new RecordingUnavailableException($"graph {run.GraphId} version {run.GraphVersion} of run {runId} is gone");
        return (run, history, new RunDecider(GraphParser.Parse(version.Source)));
    }
}

/// <summary>A run that exists but cannot be made into a recording; the API answers 409 REPLAY_UNAVAILABLE.</summary>
public sealed class RecordingUnavailableException(string message) : Exception(message);
