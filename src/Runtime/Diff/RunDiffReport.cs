namespace Warden.Runtime.Diff;

// The reply of GET /api/v1/runs/{a}/diff/{b} (snake_case on the wire). Additive changes only: clients read it.

/// <summary>Two runs compared: "a" is the baseline, "b" the candidate; every delta is b − a.</summary>
public sealed record RunDiffReport(
    RunSide A,
    RunSide B,
    double Similarity,
    bool Identical,
    bool StatusChanged,
    bool ErrorChanged,
    PathDiff Path,
    RunDeltas Deltas,
    IReadOnlyList<NodeDiff> Nodes,
    GovernanceDiff Governance);

public sealed record RunSide(
    string RunId,
    string GraphId,
    long GraphVersion,
    string Status,
    string? Error,
    string? ErrorCode,
    long TotalTokens,
    decimal CostUsd,
    long DurationMs,
    IReadOnlyList<string> Path);

public sealed record PathDiff(bool Same, IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Reordered);

public sealed record RunDeltas(long InputTokens, long OutputTokens, long TotalTokens, decimal CostUsd, long DurationMs);

/// <param name="Change">unchanged, changed, added (only b reached it) or removed (only a reached it).</param>
/// <param name="OutputDiff">The line diff of the outputs; only for a changed output.</param>
public sealed record NodeDiff(
    string NodeId,
    string Change,
    string? StatusA,
    string? StatusB,
    double Similarity,
    string? ErrorA,
    string? ErrorB,
    string? ErrorCodeA,
    string? ErrorCodeB,
    long TokensDelta,
    decimal CostUsdDelta,
    long DurationMsDelta,
    IReadOnlyList<DiffLine>? OutputDiff);

public sealed record GovernanceDiff(
    IReadOnlyDictionary<string, int> A,
    IReadOnlyDictionary<string, int> B,
    IReadOnlyList<GovernanceChange> Changes);

public sealed record GovernanceChange(string Kind, int A, int B);
