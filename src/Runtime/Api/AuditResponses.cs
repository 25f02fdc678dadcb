using Warden.Core.Audit;

namespace Warden.Runtime.Api;

/// <summary>The audit API's response shapes. Rows go out whole, hashes included, so a client can recompute the chain itself.</summary>
public static class AuditResponses
{
    public static object Entry(AuditEntry e) => new
    {
        e.Seq,
        at = AuditChain.FormatTime(e.At),
        e.TenantId,
        e.Actor,
        e.Action,
        e.Target,
        e.PayloadHash,
        e.PrevHash,
        e.Hash,
    };

    public static object Verification(AuditVerification v) => v.Ok
        ? new { ok = true, entries = v.Entries, head_seq = v.Head?.Seq, head_hash = v.Head?.Hash }
        : new { ok = false, entries = v.Entries, broken_at = v.BrokenAt, kind = v.Break, reason = v.Reason };
}
