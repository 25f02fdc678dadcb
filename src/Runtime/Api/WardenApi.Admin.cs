using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Warden.Runtime.Api;

/// <summary>Tenants and API keys. Keys are shown once, when issued; lists show only their prefix.</summary>
public sealed partial class WardenApi
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex TenantId();

    /// <summary>POST /api/v1/tenants — {id, name}: creates a tenant with its first admin key (platform admins only).</summary>
    public Task<IResult> CreateTenantAsync(HttpContext http) => GuardAsync(http, Roles.AdminOnly, async caller =>
    {
        if (!caller.IsPlatform)
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "FORBIDDEN", "only an admin of the platform tenant may create tenants");
        }

        var body = await ReadJsonObjectAsync(http);
        var id = OptionalString(body, "id") ?? throw ApiException.BadRequest("'id' is required");
        if (!TenantId().IsMatch(id))
        {
            throw ApiException.BadRequest("'id' must be 2-40 lower-case letters, digits or '-'");
        }

        var name = OptionalString(body, "name") ?? id;
        if (await tenants.GetTenantAsync(id, http.RequestAborted) is not null)
        {
            throw ApiException.Conflict("TENANT_EXISTS", $"tenant '{id}' already exists");
        }

        var tenant = await tenants.CreateTenantAsync(id, name, http.RequestAborted);
        var (key, plain) = await tenants.CreateKeyAsync(id, "initial-admin", Roles.Admin, http.RequestAborted);
        await audit.AppendAsync(caller.TenantId, caller.Actor, "tenant.created", id, new { id, name });
        await audit.AppendAsync(id, caller.Actor, "key.issued", key.Id, new { key.Id, key.Role, key.Prefix });
        http.Response.Headers.Location = $"/api/v1/tenants/{id}";
        return Json(new { tenant_id = tenant.Id, tenant.Name, tenant.CreatedAt, admin_key = plain, admin_key_id = key.Id }, StatusCodes.Status201Created);
    });

    /// <summary>POST /api/v1/keys — {name, role}: issues a key in the caller's tenant; the key is in this reply only.</summary>
    public Task<IResult> CreateKeyAsync(HttpContext http) => GuardAsync(http, Roles.AdminOnly, async caller =>
    {
        var body = await ReadJsonObjectAsync(http);
        var name = OptionalString(body, "name") ?? throw ApiException.BadRequest("'name' is required");
        var role = OptionalString(body, "role") ?? throw ApiException.BadRequest($"'role' is required: {string.Join(", ", Roles.Any)}");
        if (!Roles.Any.Contains(role))
        {
            throw ApiException.BadRequest($"unknown role '{role}'; use one of {string.Join(", ", Roles.Any)}");
        }

        if (name.Length > 100)
        {
            throw ApiException.BadRequest("'name' must be at most 100 characters");
        }

        var (record, plain) = await tenants.CreateKeyAsync(caller.TenantId, name, role, http.RequestAborted);
        await audit.AppendAsync(caller.TenantId, caller.Actor, "key.issued", record.Id, new { record.Id, record.Name, record.Role, record.Prefix });
        return Json(new { key_id = record.Id, record.Name, record.Role, record.Prefix, record.CreatedAt, key = plain }, StatusCodes.Status201Created);
    });

    /// <summary>GET /api/v1/keys?prefix= — the tenant's keys (never the keys themselves).</summary>
    public Task<IResult> ListKeysAsync(HttpContext http) => GuardAsync(http, Roles.AdminOnly, async caller =>
    {
        var prefix = http.Request.Query["prefix"].ToString() is { Length: > 0 } p ? p : null;
        var keys = await tenants.ListKeysAsync(caller.TenantId, prefix, http.RequestAborted);
        return Json(new { items = keys.Select(k => new { key_id = k.Id, k.Name, k.Role, k.Prefix, k.CreatedAt, k.RevokedAt }) });
    });

    /// <summary>DELETE /api/v1/keys/{keyId} — revokes a key of the caller's tenant.</summary>
    public Task<IResult> RevokeKeyAsync(HttpContext http, string keyId) => GuardAsync(http, Roles.AdminOnly, async caller =>
    {
        var revoked = await tenants.RevokeKeyAsync(caller.TenantId, keyId, http.RequestAborted)
            ?? throw ApiException.NotFound($"key '{keyId}' not found or already revoked");
        await audit.AppendAsync(caller.TenantId, caller.Actor, "key.revoked", keyId, new { keyId });
        return Json(new { key_id = revoked.Id, revoked.RevokedAt });
    });
}
