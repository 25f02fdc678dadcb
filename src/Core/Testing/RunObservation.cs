namespace Warden.Core.Testing;

/// <summary>
/// A finished (or waiting) run as the assertions see it: read from the run record and its durable timeline,
/// on either host. <paramref name="NodeOutputs"/> holds each node's last output.
/// </summary>
public sealed record RunObservation(
    string Status,
    string? ErrorCode,
    string? Output,
    IReadOnlyDictionary<string, string?> NodeOutputs,
    IReadOnlyList<ObservedEvent> Timeline,
    RunTotals Totals)
{
    /// <summary>The run's input (JSON), when the runner read it; contract assertions check input schemas against it.</summary>
    public string? Input { get; init; }

    /// <summary>The graph version the run ran, when the runner loaded it; contract assertions read its contracts.</summary>
    public Graphs.GraphDefinition? Graph { get; init; }
}

/// <summary>One durable timeline event: its type (node.completed, approval.requested ...), node, attempt and data.</summary>
public sealed record ObservedEvent(string Type, string? NodeId, long? Attempt, IReadOnlyDictionary<string, string> Data)
{
    public string Get(string key) => Data.TryGetValue(key, out var value) ? value : string.Empty;
}

/// <summary>Usage totals of a run; the duration is from creation to end (or to now, for a waiting run).</summary>
public sealed record RunTotals(long InputTokens, long OutputTokens, decimal CostUsd, long DurationMs)
{
    public long Tokens => InputTokens + OutputTokens;
}
