namespace Warden.Core.Audit;

/// <summary>
/// One row of a tenant's audit chain: who did what to which resource, when, and the hashes that bind it to the
/// row before it. The payload itself is never stored, only <see cref="PayloadHash"/> (the SHA-256 of the payload as
/// serialized at append time), so secrets and personal data in a request never sit in the audit log; whoever holds
/// the original payload can still prove it is the one that was recorded. The hash is a commitment, not encryption:
/// a payload with few possible values (say <c>{"decision":"approve"}</c>) can be guessed from its hash.
/// </summary>
/// <param name="Seq">1, 2, 3, ... within the tenant's chain, with no gaps.</param>
/// <param name="PrevHash">The <see cref="Hash"/> of row <c>Seq - 1</c>, or <see cref="AuditChain.GenesisHash"/> for row 1.</param>
/// <param name="Hash">SHA-256 (lowercase hex) of the canonical form of every other field; see <see cref="AuditChain.Canonical"/>.</param>
public sealed record AuditEntry(
    long Seq,
    DateTimeOffset At,
    string TenantId,
    string Actor,
    string Action,
    string Target,
    string PayloadHash,
    string PrevHash,
    string Hash);

/// <summary>The last row of a chain: what the next row links to. Publishing it elsewhere anchors the chain (see <see cref="AuditChain"/>).</summary>
public sealed record AuditHead(long Seq, string Hash);
