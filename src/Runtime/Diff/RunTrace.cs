using System.Globalization;
using System.Text.Json;
using Warden.Core.Runs;
using Warden.Core.Serialization;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Diff;

/// <summary>One run as its stored rows tell it: the run row, its decider state and its whole timeline.</summary>
public sealed class RunTrace
{
    private const int PageSize = 1000;

    private RunTrace(RunRecord run, RunState? state, IReadOnlyList<TraceEvent> events)
    {
        Run = run;
        State = state;
        Events = events;
    }

    public RunRecord Run { get; }

    /// <summary>Null for a run whose first decision is not stored yet.</summary>
    public RunState? State { get; }

    public IReadOnlyList<TraceEvent> Events { get; }

    /// <summary>The run of the tenant, or null when the tenant has no such run (another tenant's run included).</summary>
    public static async Task<RunTrace?> LoadAsync(IRunStore runs, string tenantId, string runId, CancellationToken ct)
    {
        var run = await runs.GetAsync(tenantId, runId, ct);
        if (run is null)
        {
            return null;
        }

        var events = new List<TraceEvent>();
        long after = 0;
        while (true)
        {
            var page = await runs.ListEventsAsync(tenantId, runId, after, PageSize, ct);
            events.AddRange(page.Select(TraceEvent.From));
            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Seq;
        }

        var state = run.State is "{}" or "" ? null : WardenJson.Deserialize<RunState>(run.State);
        return new RunTrace(run, state, events);
    }

    /// <summary>The nodes in the order the run first reached them (started, asked for approval, completed or failed).</summary>
    public IReadOnlyList<string> Path() =>
        Events.Where(e => e.NodeId is not null && e.Type is "node.started" or "node.completed" or "node.failed" or "approval.requested")
            .Select(e => e.NodeId!)
            .Distinct(StringComparer.Ordinal)
            .ToArray();

    /// <summary>From start to end, or to the last update of a run still going.</summary>
    public long DurationMs()
    {
        var start = DateTimeOffset.Parse(Run.CreatedAt, CultureInfo.InvariantCulture);
        var end = DateTimeOffset.Parse(Run.EndedAt ?? Run.UpdatedAt, CultureInfo.InvariantCulture);
        return Math.Max(0, (long)(end - start).TotalMilliseconds);
    }

    public decimal CostUsd => decimal.Parse(Run.CostUsd, CultureInfo.InvariantCulture);
}

/// <summary>A timeline row with its data parsed (the decider writes string → string maps).</summary>
public sealed record TraceEvent(long Seq, string At, string Type, string? NodeId, long? Attempt, IReadOnlyDictionary<string, string> Data)
{
    private static readonly Dictionary<string, string> Empty = [];

    public string Get(string key) => Data.TryGetValue(key, out var value) ? value : string.Empty;

    public static TraceEvent From(RunEventRecord e) => new(e.Seq, e.At, e.Type, e.NodeId, e.Attempt, Parse(e.Data));

    private static Dictionary<string, string> Parse(string? data)
    {
        if (string.IsNullOrEmpty(data))
        {
            return Empty;
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(data) ?? Empty;
        }
        catch (JsonException)
        {
            return Empty;
        }
    }
}
