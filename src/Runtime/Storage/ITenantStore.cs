namespace Warden.Runtime.Storage;

/// <summary>
/// Tenants and their API keys. Keys are stored as SHA-256 hashes; the plain key is shown once. Every tenant store also
/// lists its tenants (<see cref="ITenantDirectory"/>), so a host's scheduled checks see the tenants its API serves.
/// </summary>
public interface ITenantStore : ITenantDirectory
{
    /// <summary>On an empty store, creates the demo tenant with an admin key (the given one, or a new one).</summary>
    /// <returns>The plain admin key when one was created, else null.</returns>
    Task<string?> BootstrapAsync(string? bootstrapKey, CancellationToken ct = default);

    Task<TenantRecord> CreateTenantAsync(string id, string name, CancellationToken ct = default);

    /// <returns>The plain key, shown once.</returns>
    Task<string> IssueKeyAsync(string tenantId, string name, string role, CancellationToken ct = default);

    /// <returns>The stored record and the plain key, shown once.</returns>
    Task<(ApiKeyRecord Record, string Key)> CreateKeyAsync(string tenantId, string name, string role, CancellationToken ct = default);

    Task<AuthenticatedKey?> AuthenticateAsync(string plainKey, CancellationToken ct = default);

    Task<TenantRecord?> GetTenantAsync(string tenantId, CancellationToken ct = default);

    Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string tenantId, string? prefix, CancellationToken ct = default);

    /// <returns>The revoked key, or null when the tenant has no such key (or it was already revoked).</returns>
    Task<ApiKeyRecord?> RevokeKeyAsync(string tenantId, string keyId, CancellationToken ct = default);
}
