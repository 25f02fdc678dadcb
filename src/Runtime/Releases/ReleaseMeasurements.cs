using System.Globalization;
using System.Text.Json;
using Warden.Core.Releases;
using Warden.Core.Runs;
using Warden.Core.Serialization;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Releases;

/// <summary>
/// What the release guard measures of one snapshot: its finished runs over the window (completed or failed; a stopped
/// run was a person's call), the latest result of each suite the objectives name against the snapshot's graph version
/// (whenever it ran: a suite result is evidence about the version, not about the hour), and its shadow pairs' scores.
/// </summary>
public sealed class ReleaseMeasurements(IRunStore runs, ISuiteStore suites, IShadowScores shadow)
{
    private const int PageSize = 200;

    /// <summary>How far back through a suite's runs the guard looks for one against the version.</summary>
    private const int SuiteRunsScanned = 200;

    public async Task<SloMeasurements> MeasureAsync(string tenantId, SnapshotRecord snapshot, SloSettings slos, DateTimeOffset since, DateTimeOffset until, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(slos);
        var samples = new List<RunSample>();
        string? cursor = null;
        do
        {
            var page = await runs.ListAsync(tenantId, new RunQuery(GraphId: snapshot.GraphId, Limit: PageSize, Cursor: cursor, Since: since, Until: until), ct);
            samples.AddRange(page.Items.Select(r => Sample(r, snapshot.Id)).OfType<RunSample>());
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var suiteSamples = new List<SuiteSample>();
        foreach (var suite in slos.Objectives.Select(o => o.Suite).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (await LatestSuiteResultAsync(tenantId, suite, snapshot, ct) is { } sample)
            {
                suiteSamples.Add(sample);
            }
        }

        var scores = slos.Objectives.Any(o => o.Kind == SloKind.ShadowDivergence)
            ? await shadow.ScoresAsync(tenantId, snapshot.GraphId, snapshot.Id, since, until, ct)
            : [];
        return new SloMeasurements(samples, suiteSamples, scores);
    }

    private static RunSample? Sample(RunRecord run, string snapshotId)
    {
        if (run.Status is not ("completed" or "failed") || run.EndedAt is null || run.State == "{}"
            || WardenJson.Deserialize<RunState>(run.State)?.SnapshotId != snapshotId)
        {
            return null;
        }

        var duration = DateTimeOffset.Parse(run.EndedAt, CultureInfo.InvariantCulture) - DateTimeOffset.Parse(run.CreatedAt, CultureInfo.InvariantCulture);
        var cost = decimal.TryParse(run.CostUsd, NumberStyles.Number, CultureInfo.InvariantCulture, out var usd) ? usd : 0m;
        return new RunSample(run.Status == "completed", duration < TimeSpan.Zero ? TimeSpan.Zero : duration, cost);
    }

    private async Task<SuiteSample?> LatestSuiteResultAsync(string tenantId, string suiteId, SnapshotRecord snapshot, CancellationToken ct)
    {
        string? cursor = null;
        var scanned = 0;
        do
        {
            var page = await suites.ListRunsAsync(tenantId, suiteId, 50, cursor, ct);
            foreach (var run in page.Items)
            {
                if (run.Status is "passed" or "failed" && run.Result is { } text)
                {
                    using var doc = JsonDocument.Parse(text);
                    var result = doc.RootElement;
                    if (result.TryGetProperty("graph_id", out var graph) && graph.GetString() == snapshot.GraphId
                        && await RanVersionAsync(tenantId, result, snapshot.GraphVersion, ct))
                    {
                        return new SuiteSample(suiteId, result.GetProperty("cases_passed").GetInt32(), result.GetProperty("cases_failed").GetInt32(), run.Id);
                    }
                }
            }

            scanned += page.Items.Count;
            cursor = page.NextCursor;
        }
        while (cursor is not null && scanned < SuiteRunsScanned);

        return null;
    }

    /// <summary>A suite that pins no version ran the latest one of its day: its first case run says which.</summary>
    private async Task<bool> RanVersionAsync(string tenantId, JsonElement result, long graphVersion, CancellationToken ct)
    {
        if (result.TryGetProperty("graph_version", out var version) && version.ValueKind == JsonValueKind.Number)
        {
            return version.GetInt64() == graphVersion;
        }

        var firstRun = result.TryGetProperty("cases", out var cases) && cases.ValueKind == JsonValueKind.Array
            ? cases.EnumerateArray().Select(c => c.TryGetProperty("run_id", out var id) ? id.GetString() : null).FirstOrDefault(id => id is not null)
            : null;
        return firstRun is not null && (await runs.GetAsync(tenantId, firstRun, ct))?.GraphVersion == graphVersion;
    }
}
