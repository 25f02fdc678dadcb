using Warden.Core.Audit;
using Warden.Core.Serialization;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Engine;

/// <summary>
/// The governance decisions of an engine that keeps its state elsewhere (the Durable orchestrator), audited from the
/// decisions it projects: the same rows the embedded engine appends in its own transaction (<see cref="EngineAudit"/>).
/// Projection writes run at least once, so each row is appended under an id made of the run, the decision's version and
/// the row's place in it: a repeated write appends nothing.
/// </summary>
public sealed class DecisionAudit
{
    private readonly IForwardedAuditLog? _once;

    public DecisionAudit(IAuditLog audit) => _once = audit as IForwardedAuditLog;

    /// <exception cref="InvalidOperationException">The decision has rows to audit and the audit log cannot append a row once per id.</exception>
    public async Task AppendAsync(RunProjectionUpdate update, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var rows = update.Commands.SelectMany(c => EngineAudit.Rows(update.State.RunId, c)).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        var once = _once ?? throw new InvalidOperationException(
            "the Durable engine audits into a shared audit log that appends each row once (WARDEN_STORE=tables or PostgreSQL)");
        var at = AuditChain.FormatTime(update.State.UpdatedAt);
        for (var i = 0; i < rows.Count; i++)
        {
            await once.AppendForwardedAsync(
                new AuditOutboxRow
                {
                    Id = $"dec_{update.State.RunId}_{update.Version}_{i}",
                    TenantId = update.State.TenantId,
                    At = at,
                    Actor = rows[i].Actor,
                    Action = rows[i].Action,
                    Target = rows[i].Target,
                    PayloadHash = AuditChain.HashPayload(WardenJson.Serialize(rows[i].Payload)),
                },
                ct);
        }
    }
}
