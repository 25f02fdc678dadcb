using System.Globalization;
using System.Text;
using System.Text.Json;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Api;

/// <summary>
/// People signing in through App Service Authentication (Entra ID / OIDC) arrive with an X-MS-CLIENT-PRINCIPAL
/// header: base64 JSON with the identity's claims. Off unless enabled, because only the platform's front end can be
/// trusted to set it. Role claims map to Warden roles (the most privileged wins) and a tenant claim to a tenant.
/// </summary>
public sealed class ClientPrincipalOptions
{
    public const string Header = "X-MS-CLIENT-PRINCIPAL";

    private static readonly string[] Precedence = [Roles.Admin, Roles.Operator, Roles.Reviewer, Roles.AgentManager, Roles.Api, Roles.Viewer];

    public bool Enabled { get; init; }

    /// <summary>Claim value → Warden role; a claim already named like a Warden role maps to itself.</summary>
    public IReadOnlyDictionary<string, string> RoleMap { get; init; } = new Dictionary<string, string>();

    public string TenantClaim { get; init; } = "tid";

    /// <summary>Tenant claim value → Warden tenant; without an entry the claim value is the tenant id.</summary>
    public IReadOnlyDictionary<string, string> TenantMap { get; init; } = new Dictionary<string, string>();

    public static ClientPrincipalOptions FromEnvironment(Func<string, string?> read) => new()
    {
        Enabled = read("WARDEN_EASYAUTH_ENABLED") is { Length: > 0 } on && (on.Equals("true", StringComparison.OrdinalIgnoreCase) || on == "1"),
        RoleMap = Pairs(read("WARDEN_EASYAUTH_ROLE_MAP"), "WARDEN_EASYAUTH_ROLE_MAP", validateRole: true),
        TenantClaim = read("WARDEN_EASYAUTH_TENANT_CLAIM") is { Length: > 0 } claim ? claim : "tid",
        TenantMap = Pairs(read("WARDEN_EASYAUTH_TENANT_MAP"), "WARDEN_EASYAUTH_TENANT_MAP", validateRole: false),
    };

    /// <summary>The principal's tenant, best role and name, or a reason it cannot be used.</summary>
    public (string? Tenant, string? Role, string Name, string? Problem) Read(string header)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header))).RootElement.Clone();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return (null, null, string.Empty, $"{Header} is not base64 JSON");
        }

        var roleType = root.TryGetProperty("role_typ", out var rt) ? rt.GetString() : null;
        var nameType = root.TryGetProperty("name_typ", out var nt) ? nt.GetString() : null;
        var claims = root.TryGetProperty("claims", out var c) && c.ValueKind == JsonValueKind.Array
            ? c.EnumerateArray().Select(x => (Type: x.GetProperty("typ").GetString() ?? string.Empty, Value: x.GetProperty("val").GetString() ?? string.Empty)).ToList()
            : [];
        var name = claims.FirstOrDefault(x => x.Type == nameType || x.Type == "name").Value ?? "unknown";
        var roles = claims
            .Where(x => x.Type == roleType || x.Type == "roles")
            .Select(x => RoleMap.TryGetValue(x.Value, out var mapped) ? mapped : x.Value)
            .ToHashSet(StringComparer.Ordinal);
        var role = Precedence.FirstOrDefault(roles.Contains);
        var tenantClaim = claims.FirstOrDefault(x => x.Type == TenantClaim).Value;
        var tenant = tenantClaim is null ? null : TenantMap.TryGetValue(tenantClaim, out var mappedTenant) ? mappedTenant : tenantClaim;
        return role is null
            ? (tenant, null, name, "the signed-in identity has no role that maps to a Warden role")
            : tenant is null ? (null, role, name, $"the signed-in identity has no '{TenantClaim}' claim") : (tenant, role, name, null);
    }

    private static Dictionary<string, string> Pairs(string? text, string variable, bool validateRole)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0 || (validateRole && !Roles.Any.Contains(parts[1])))
            {
                throw new ConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{variable} must be a list of claim=value pairs{(validateRole ? " with Warden roles as values" : string.Empty)}, not '{pair}'"));
            }

            map[parts[0]] = parts[1];
        }

        return map;
    }
}
