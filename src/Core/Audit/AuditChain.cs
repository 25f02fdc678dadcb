using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Warden.Core.Audit;

/// <summary>
/// The audit log's hash chain, pure: each row's hash covers its fields and the previous row's hash, so changing,
/// deleting, inserting or reordering a row breaks the chain at that row.
/// <para>
/// There is one chain per tenant. A tenant can then verify its own log (through the API, or by recomputing the
/// hashes of what GET /api/v1/audit returns) without being shown a single row of another tenant, and a verify names
/// a seq within that tenant's chain. One global chain would be simpler to prove complete, but every tenant-scoped
/// verify would need the other tenants' rows to follow the links.
/// </para>
/// <para>
/// What a chain cannot prove on its own: that rows were not cut off its end, or that someone able to write the store
/// did not rewrite every row from some point on with fresh hashes. Both are caught by comparing the head
/// (<see cref="AuditVerification.Head"/>) with a copy kept outside the store.
/// </para>
/// </summary>
public static class AuditChain
{
    /// <summary>The prev_hash of a chain's first row.</summary>
    public static readonly string GenesisHash = new('0', 64);

    // Part of the hashed form: changing it, or the field order below, invalidates every stored chain.
    private const string Version = "warden-audit-v1";

    /// <summary>The next row after <paramref name="head"/> (null for an empty chain), linked and hashed.</summary>
    public static AuditEntry Next(AuditHead? head, DateTimeOffset at, string tenantId, string actor, string action, string target, string payloadHash)
    {
        var entry = new AuditEntry((head?.Seq ?? 0) + 1, at, tenantId, actor, action, target, payloadHash, string.Empty, string.Empty);
        return Link(head?.Hash ?? GenesisHash, entry);
    }

    /// <summary>The entry with its prev_hash set to <paramref name="previousHash"/> and its own hash computed.</summary>
    public static AuditEntry Link(string previousHash, AuditEntry entry)
    {
        var linked = entry with { PrevHash = previousHash };
        return linked with { Hash = ComputeHash(linked) };
    }

    /// <summary>SHA-256, lowercase hex, of <see cref="Canonical"/>: the hash a row must carry.</summary>
    public static string ComputeHash(AuditEntry entry) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(entry))));

    /// <summary>The payload's hash as stored in the row: SHA-256, lowercase hex, of its UTF-8 text.</summary>
    public static string HashPayload(string payload) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload)));

    /// <summary>The time as stored and hashed: UTC, round-trip ("O") format, the format of every stored timestamp.</summary>
    public static string FormatTime(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>
    /// Every field but the hash, each written as its UTF-8 byte length, a colon, the value and a newline. The length
    /// prefix makes the form unambiguous: no choice of values can make two different rows serialize alike.
    /// </summary>
    public static string Canonical(AuditEntry entry)
    {
        var text = new StringBuilder(Version).Append('\n');
        Field(entry.Seq.ToString(CultureInfo.InvariantCulture));
        Field(FormatTime(entry.At));
        Field(entry.TenantId);
        Field(entry.Actor);
        Field(entry.Action);
        Field(entry.Target);
        Field(entry.PayloadHash);
        Field(entry.PrevHash);
        return text.ToString();

        void Field(string value) =>
            text.Append(Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');
    }

    /// <summary>
    /// Walks the rows in the order given (seq order) and stops at the first that breaks the chain: its seq is not the
    /// next one, its prev_hash is not the previous row's hash, or its hash is not the hash of its fields. Checked in
    /// that order, so a changed row is named itself, never the row after it.
    /// </summary>
    public static AuditVerification Verify(IEnumerable<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        AuditHead? head = null;
        long count = 0;
        foreach (var entry in entries)
        {
            var expectedSeq = (head?.Seq ?? 0) + 1;
            var expectedPrev = head?.Hash ?? GenesisHash;
            if (entry.Seq != expectedSeq)
            {
                return AuditVerification.Broken(count, entry.Seq, AuditBreak.SeqGap, string.Create(
                    CultureInfo.InvariantCulture,
                    $"seq {entry.Seq} found where seq {expectedSeq} was expected: a row was deleted, inserted or reordered"));
            }

            if (!string.Equals(entry.PrevHash, expectedPrev, StringComparison.Ordinal))
            {
                return AuditVerification.Broken(count, entry.Seq, AuditBreak.BrokenLink, head is null
                    ? "prev_hash of the first row is not the genesis hash"
                    : string.Create(CultureInfo.InvariantCulture, $"prev_hash does not match the hash of seq {head.Seq}"));
            }

            if (!string.Equals(entry.Hash, ComputeHash(entry), StringComparison.Ordinal))
            {
                return AuditVerification.Broken(count, entry.Seq, AuditBreak.HashMismatch, "hash does not match the row's contents: a field was changed");
            }

            head = new AuditHead(entry.Seq, entry.Hash);
            count++;
        }

        return AuditVerification.Intact(count, head);
    }
}
