namespace Warden.Core.Audit;

/// <summary>Why a chain stops verifying at a row.</summary>
public enum AuditBreak
{
    /// <summary>The row's seq is not the one after the previous row's: a row was deleted, inserted or moved.</summary>
    SeqGap,

    /// <summary>The row's prev_hash is not the previous row's hash (or, for row 1, not the genesis hash).</summary>
    BrokenLink,

    /// <summary>The row's hash is not the hash of its fields: one of them was changed.</summary>
    HashMismatch,
}

/// <summary>The result of <see cref="AuditChain.Verify"/>: ok with the head, or the first row that breaks the chain and why.</summary>
/// <param name="Entries">Rows verified: all of them when ok, those before the broken row otherwise.</param>
/// <param name="Head">The last row of an intact chain (null when it is empty or broken).</param>
/// <param name="BrokenAt">The seq of the first bad row, as stored.</param>
public sealed record AuditVerification(bool Ok, long Entries, AuditHead? Head = null, long? BrokenAt = null, AuditBreak? Break = null, string? Reason = null)
{
    public static AuditVerification Intact(long entries, AuditHead? head) => new(true, entries, head);

    public static AuditVerification Broken(long entries, long brokenAt, AuditBreak kind, string reason) => new(false, entries, null, brokenAt, kind, reason);
}
