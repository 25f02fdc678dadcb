namespace Warden.Runtime.Storage;

/// <summary>Tenants and their API keys. Keys are stored as SHA-256 hashes; the plain key is shown once.</summary>
public interface ITenantStore
{
    /// <summary>On an empty store, creates the demo tenant with an admin key (the given one, or a new one).</summary>
    /// <returns>The plain admin key when one was created, else null.</returns>
    Task<string?> BootstrapAsync(string? bootstrapKey, CancellationToken ct = default);

    Task<TenantRecord> CreateTenantAsync(string id, string name, CancellationToken ct = default);

    /// <returns>The plain key, shown once.</returns>
    Task<string> IssueKeyAsync(string tenantId, string name, string role, CancellationToken ct = default);

    Task<AuthenticatedKey?> AuthenticateAsync(string plainKey, CancellationToken ct = default);
}
