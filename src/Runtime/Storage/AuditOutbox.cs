using Dapper;
using Microsoft.Data.Sqlite;
using Warden.Core.Audit;
using Warden.Core.Serialization;

namespace Warden.Runtime.Storage;

/// <summary>
/// The embedded engine's audit rows on their way to an audit log kept in a shared store (PostgreSQL, Table Storage). The engine
/// commits a governance decision and its audit row in one SQLite transaction; with the chain elsewhere, that row is
/// queued here instead, in the same transaction, and the <see cref="AuditForwarder"/> appends it to the chain and then deletes it. A crash
/// in between forwards it again; the chain's store records the id, so it is appended once.
/// </summary>
internal static class AuditOutbox
{
    /// <summary>Queues a row in the writer's transaction; the payload is hashed now, as an append would hash it.</summary>
    public static void Enqueue(SqliteConnection connection, SqliteTransaction transaction, string tenantId, DateTimeOffset at, string actor, string action, string target, object? payload) =>
        connection.Execute(
            "INSERT INTO audit_outbox (id, tenant_id, at, actor, action, target, payload_hash) VALUES (@id, @tenantId, @at, @actor, @action, @target, @payloadHash)",
            new { id = "aob_" + Guid.NewGuid().ToString("N"), tenantId, at = AuditChain.FormatTime(at), actor, action, target, payloadHash = AuditChain.HashPayload(WardenJson.Serialize(payload)) },
            transaction);

    /// <summary>The oldest queued rows, in the order the engine committed them.</summary>
    public static async Task<IReadOnlyList<AuditOutboxRow>> ReadAsync(SqliteDatabase db, int limit)
    {
        await using var connection = db.Open();
        return (await connection.QueryAsync<AuditOutboxRow>(
            "SELECT id, tenant_id, at, actor, action, target, payload_hash FROM audit_outbox ORDER BY rowid LIMIT @limit",
            new { limit })).AsList();
    }

    public static async Task DeleteAsync(SqliteDatabase db, string id)
    {
        await using var connection = db.Open();
        await connection.ExecuteAsync("DELETE FROM audit_outbox WHERE id = @id", new { id });
    }
}

internal sealed class AuditOutboxRow
{
    public required string Id { get; init; }

    public required string TenantId { get; init; }

    public required string At { get; init; }

    public required string Actor { get; init; }

    public required string Action { get; init; }

    public required string Target { get; init; }

    public required string PayloadHash { get; init; }
}
