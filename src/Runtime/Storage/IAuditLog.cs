using Warden.Core.Audit;

namespace Warden.Runtime.Storage;

/// <summary>
/// The tenant-scoped audit log: one hash chain per tenant (see <see cref="AuditChain"/>). Appends are atomic, so
/// concurrent appends never fork a chain; only the payload's hash is stored, never the payload.
/// </summary>
public interface IAuditLog
{
    /// <summary>
    /// Appends a row to the tenant's chain. <paramref name="payload"/> is serialized with the API's JSON settings and
    /// only its SHA-256 is kept. Callers record a change that already happened, so they pass no request-abort token:
    /// a client hanging up must not leave the change unaudited.
    /// </summary>
    Task<AuditEntry> AppendAsync(string tenantId, string actor, string action, string target, object? payload, CancellationToken ct = default);

    /// <summary>The tenant's rows, newest first, filtered; the cursor pages on seq.</summary>
    Task<Page<AuditEntry>> QueryAsync(string tenantId, AuditQuery query, CancellationToken ct = default);

    /// <summary>Walks the tenant's whole chain in seq order: ok with the head, or the first broken row.</summary>
    Task<AuditVerification> VerifyAsync(string tenantId, CancellationToken ct = default);
}

/// <summary>
/// Filters for <see cref="IAuditLog.QueryAsync"/>, all optional and combined with AND. <see cref="Action"/> ending in
/// <c>*</c> matches by prefix (<c>approval.*</c>); <see cref="From"/> is inclusive, <see cref="To"/> exclusive.
/// </summary>
public sealed record AuditQuery(
    string? Action = null,
    string? Actor = null,
    string? Target = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 50,
    string? Cursor = null);
