using Warden.Core.Guardrails.Budget;
using Warden.Core.Guardrails.CircuitBreaker;
using Warden.Core.Runs;

namespace Warden.Runtime.Engine;

/// <summary>
/// The governance decisions the engine audits, each in the transaction of the decision itself: an approval closed
/// (approved, rejected, expired, cancelled) or escalated, a run killed by its budget, a provider's breaker opened,
/// a step blocked by governance (PII, prompt injection) or denied by a tool policy, and redactions made.
/// The API audits the requests that asked for changes; these rows record what the engine then decided.
/// </summary>
internal static class EngineAudit
{
    public static void Record(EngineSql sql, string tenantId, string runId, RunCommand command, DateTimeOffset at)
    {
        foreach (var row in Rows(runId, command))
        {
            sql.AppendAudit(tenantId, at, row.Actor, row.Action, row.Target, row.Payload);
        }
    }

    /// <summary>The audit rows one command of a decision stands for (none for most commands).</summary>
    public static IEnumerable<EngineAuditRow> Rows(string runId, RunCommand command)
    {
        switch (command)
        {
            case CloseApproval a:
                yield return new(a.Actor, "approval." + a.Outcome.ToString().ToLowerInvariant(), a.ApprovalId, new { RunId = runId, a.Outcome, a.Comment });
                break;
            case EscalateApproval a:
                yield return new(RunDecider.SystemActor, "approval.escalated", a.ApprovalId, new { RunId = runId, a.NodeId, a.Reason });
                break;
            case AppendTimeline timeline:
                // Governance decisions inside a step: blocks (PII, injection), policy denials and redactions.
                foreach (var entry in timeline.Entries.Where(e => e.Type is "governance.blocked" or "governance.redacted" or "policy.denied"))
                {
                    yield return new(RunDecider.SystemActor, entry.Type, $"{runId}/{entry.NodeId}", new { RunId = runId, entry.NodeId, entry.Attempt, entry.Data });
                }

                break;
            case FinishRun { ErrorCode: BudgetLedger.ExceededCode } f:
                yield return new(RunDecider.SystemActor, "run.budget_killed", runId, new { f.Status, f.Reason });
                break;
        }
    }

    /// <summary>Breakers are shared by every tenant; the opening is recorded in the chain of the tenant whose call tripped it.</summary>
    public static void BreakerOpened(EngineSql sql, string tenantId, string runId, string providerKey, CircuitBreakerState state, DateTimeOffset at) =>
        sql.AppendAudit(tenantId, at, RunDecider.SystemActor, "breaker.opened", providerKey, new { RunId = runId, state.ConsecutiveFailures, state.WindowFailures, state.OpenedAt });
}

/// <summary>One audit row the engine appends for a decision; the payload is hashed, never stored.</summary>
internal sealed record EngineAuditRow(string Actor, string Action, string Target, object? Payload);
