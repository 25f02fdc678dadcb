namespace Warden.Runtime.Storage;

public enum UsageGrouping
{
    Agent,
    Graph,
    Model,
    Provider,
    Day,
}

public sealed record UsageRow(string Key, long Calls, long Errors, long InputTokens, long OutputTokens, decimal CostUsd, double AvgLatencyMs);

public sealed record UsageSummary(long Calls, long Errors, long InputTokens, long OutputTokens, decimal CostUsd, long P50LatencyMs, long P95LatencyMs, IReadOnlyList<UsageRow> ByProvider);

public sealed record UsageBucket(string Start, long Calls, long Errors, long Tokens, decimal CostUsd, double AvgLatencyMs);

public sealed record GuardrailRow(string Key, string Kind, string State, string UpdatedAt);

public sealed record GovernanceCount(string Day, string Kind, long Count);

/// <summary>Approvals by status, and governance events (blocks, denials, redactions, escalations, budget kills) per day.</summary>
public sealed record GovernanceSummary(IReadOnlyDictionary<string, long> ApprovalsByStatus, IReadOnlyDictionary<string, long> EventsByKind, IReadOnlyList<GovernanceCount> PerDay);

/// <summary>LLM usage and guardrail state, read side. Every query is scoped to one tenant.</summary>
public interface IUsageStore
{
    Task<IReadOnlyList<UsageRow>> GroupAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, UsageGrouping by, CancellationToken ct = default);

    Task<UsageSummary> SummaryAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default);

    Task<IReadOnlyList<UsageBucket>> TimeseriesAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, TimeSpan interval, CancellationToken ct = default);

    Task<GovernanceSummary> GovernanceAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default);

    /// <summary>Provider breakers and rate windows (shared by all tenants) and the tenant's own budgets.</summary>
    Task<IReadOnlyList<GuardrailRow>> GuardrailsAsync(string tenantId, CancellationToken ct = default);
}
