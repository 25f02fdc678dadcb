namespace Warden.Runtime.Storage;

/// <summary>Which tenants exist, for work that spans all of them (scheduled checks). Never used to serve a request.</summary>
public interface ITenantDirectory
{
    Task<IReadOnlyList<string>> ListTenantIdsAsync(CancellationToken ct = default);
}
