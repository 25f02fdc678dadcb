using Warden.Runtime.Diff;

namespace Warden.Runtime.Compliance;

// The reply of GET /api/v1/runs/{runId}/compliance (snake_case on the wire). Additive changes only.

/// <summary>Every governance decision of one run, and the audit rows that record them.</summary>
public sealed record ComplianceReport(
    ComplianceRun Run,
    ComplianceRedactions Redactions,
    IReadOnlyList<GovernanceBlock> Blocks,
    IReadOnlyList<PolicyDecision> PolicyDecisions,
    IReadOnlyList<ApprovalDecision> Approvals,
    ComplianceBudget Budget,
    IReadOnlyList<object> Audit);

public sealed record ComplianceRun(string RunId, string GraphId, long GraphVersion, string Status, string? ErrorCode, string? Error);

public sealed record ComplianceRedactions(int Total, IReadOnlyDictionary<string, int> ByKind, IReadOnlyList<RedactionItem> Items);

/// <param name="Code">PII_BLOCKED, INJECTION_BLOCKED, POLICY_DENIED, ...</param>
public sealed record GovernanceBlock(string? NodeId, long? Attempt, string At, string Code, string Reason);

/// <param name="Decision">deny or require_approval (tool policies); allow is not recorded on the timeline.</param>
public sealed record PolicyDecision(string? NodeId, long? Attempt, string At, string Decision, string Reason);

public sealed record ApprovalDecision(
    string ApprovalId,
    string NodeId,
    string Status,
    string Message,
    string RequestedAt,
    string? DecidedAt,
    string? DecidedBy,
    string? Comment,
    bool Escalated);

/// <param name="Events">budget.exceeded and node.throttled rows: admissions the guardrails refused or held back.</param>
public sealed record ComplianceBudget(long TotalTokens, decimal CostUsd, bool Killed, IReadOnlyList<BudgetEvent> Events);

public sealed record BudgetEvent(string? NodeId, long? Attempt, string At, string Type, string Reason);
