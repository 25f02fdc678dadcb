using System.Globalization;
using System.Text.Json;
using Warden.Core.Runs;
using Warden.Core.Serialization;
using Warden.Core.Testing;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Testing;

/// <summary>A run record and its durable timeline, as the suite assertions read them; the same on both hosts' stores.</summary>
public static class RunObservations
{
    public static RunObservation From(RunRecord run, IReadOnlyList<RunEventRecord> events, string? status = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(events);
        var state = run.State == "{}" ? null : WardenJson.Deserialize<RunState>(run.State);
        var outputs = state?.Nodes.ToDictionary(kv => kv.Key, kv => kv.Value.Output, StringComparer.Ordinal) ?? [];
        var created = DateTimeOffset.Parse(run.CreatedAt, CultureInfo.InvariantCulture);
        var ended = run.EndedAt is { } e ? DateTimeOffset.Parse(e, CultureInfo.InvariantCulture)
            : events.Count > 0 ? DateTimeOffset.Parse(events[^1].At, CultureInfo.InvariantCulture) : created;
        return new RunObservation(
            status ?? run.Status,
            run.ErrorCode,
            run.Output,
            outputs,
            events.Select(Entry).ToList(),
            new RunTotals(run.InputTokens, run.OutputTokens, decimal.Parse(run.CostUsd, CultureInfo.InvariantCulture), (long)(ended - created).TotalMilliseconds))
        {
            Input = run.Input,
        };
    }

    private static ObservedEvent Entry(RunEventRecord e)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.Data is { Length: > 0 } text)
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in document.RootElement.EnumerateObject())
                {
                    data[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                }
            }
        }

        return new ObservedEvent(e.Type, e.NodeId, e.Attempt, data);
    }
}
