using Warden.Core.Guardrails.Budget;
using Warden.Runtime.Api;
using Warden.Runtime.Diff;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Compliance;

/// <summary>Builds a run's compliance report from its timeline, its approvals and the tenant's audit chain.</summary>
public static class ComplianceReporter
{
    private const int AuditPage = 500;

    public static async Task<ComplianceReport> BuildAsync(RunTrace trace, IRunStore runs, IAuditLog audit, CancellationToken ct)
    {
        var run = trace.Run;
        var approvals = await runs.ListApprovalsAsync(run.TenantId, run.Id, status: null, ct);
        var redactions = trace.Events.Where(e => e.Type == "governance.redacted").SelectMany(GovernanceTally.Redactions).ToArray();
        var byKind = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in redactions)
        {
            byKind[r.Kind] = byKind.GetValueOrDefault(r.Kind) + 1;
        }

        var blocks = trace.Events
            .Where(e => e.Type is "governance.blocked" or "policy.denied")
            .Select(e => new GovernanceBlock(e.NodeId, e.Attempt, e.At, e.Type == "policy.denied" ? "POLICY_DENIED" : e.Get("code"), e.Get("reason")))
            .ToArray();
        var policies = trace.Events
            .Where(e => e.Type == "policy.denied" || (e.Type == "approval.requested" && e.Get("reason").Length > 0))
            .Select(e => new PolicyDecision(e.NodeId, e.Attempt, e.At, e.Type == "policy.denied" ? "deny" : "require_approval", e.Get("reason")))
            .ToArray();
        var budgetEvents = trace.Events
            .Where(e => e.Type is "budget.exceeded" or "node.throttled")
            .Select(e => new BudgetEvent(e.NodeId, e.Attempt, e.At, e.Type, e.Get("reason")))
            .ToArray();

        return new ComplianceReport(
            new ComplianceRun(run.Id, run.GraphId, run.GraphVersion, run.Status, run.ErrorCode, run.Error),
            new ComplianceRedactions(redactions.Length, byKind, redactions),
            blocks,
            policies,
            approvals.Select(a => new ApprovalDecision(a.Id, a.NodeId, a.Status, a.Message, a.RequestedAt, a.DecidedAt, a.DecidedBy, a.Comment, a.Escalated)).ToArray(),
            new ComplianceBudget(run.InputTokens + run.OutputTokens, trace.CostUsd, run.ErrorCode == BudgetLedger.ExceededCode, budgetEvents),
            await AuditRowsAsync(trace, approvals, audit, ct));
    }

    /// <summary>
    /// The audit rows about this run, matched on their target the way they are written: the run id (run.started,
    /// run.controlled, run.budget_killed), <c>{runId}/{nodeId}</c> (blocks, policy denials, redactions) and each approval id
    /// (approval.decided by the API, approval.approved / rejected / expired / escalated by the engine). Oldest first.
    /// </summary>
    private static async Task<IReadOnlyList<object>> AuditRowsAsync(RunTrace trace, IReadOnlyList<ApprovalRecord> approvals, IAuditLog audit, CancellationToken ct)
    {
        var nodeIds = (trace.State?.Nodes.Keys ?? Enumerable.Empty<string>()).Concat(trace.Events.Select(e => e.NodeId).OfType<string>());
        var targets = new[] { trace.Run.Id }
            .Concat(nodeIds.Select(n => $"{trace.Run.Id}/{n}"))
            .Concat(approvals.Select(a => a.Id))
            .Distinct(StringComparer.Ordinal);
        var rows = new List<Core.Audit.AuditEntry>();
        foreach (var target in targets)
        {
            string? cursor = null;
            do
            {
                var page = await audit.QueryAsync(trace.Run.TenantId, new AuditQuery(Target: target, Limit: AuditPage, Cursor: cursor), ct);
                rows.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }

        return rows.DistinctBy(r => r.Seq).OrderBy(r => r.Seq).Select(AuditResponses.Entry).ToArray();
    }
}
