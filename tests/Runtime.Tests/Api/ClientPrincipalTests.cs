using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Shouldly;
using Warden.Runtime.Api;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Api;

/// <summary>People signed in through App Service Authentication, on a real Kestrel host.</summary>
public sealed class ClientPrincipalTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        EngineHostedService.ShowBootstrapKey = _ => { };
        var settings = new WardenSettings { DataDirectory = TestWarden.NewDataDirectory(), Url = "http://127.0.0.1:0", BootstrapApiKey = "cp-admin-key", Synchronous = SqliteSynchronous.Normal };
        settings.ClientPrincipal = ClientPrincipalOptions.FromEnvironment(name => name switch
        {
            "WARDEN_EASYAUTH_ENABLED" => "true",
            "WARDEN_EASYAUTH_ROLE_MAP" => "Warden.Reviewer=reviewer,Warden.Admins=admin",
            "WARDEN_EASYAUTH_TENANT_MAP" => "11111111-entra=demo",
            _ => null,
        });
        _app = WardenWebHost.Build(settings, minimumLogLevel: LogLevel.Warning);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Request_ReviewerPrincipal_ReadsButCannotManageKeys()
    {
        var principal = Principal("11111111-entra", "Warden.Reviewer");

        var runs = await SendAsync(HttpMethod.Get, "/api/v1/runs", principal);
        var keys = await SendAsync(HttpMethod.Get, "/api/v1/keys", principal);

        runs.StatusCode.ShouldBe(HttpStatusCode.OK);
        keys.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("11111111-entra", "Some.Other.Role")]
    [InlineData("99999999-unknown", "Warden.Reviewer")]
    public async Task Request_PrincipalWithoutMappedRoleOrTenant_401(string tenant, string role)
    {
        var response = await SendAsync(HttpMethod.Get, "/api/v1/runs", Principal(tenant, role));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public void Options_Disabled_ByDefault()
    {
        ClientPrincipalOptions.FromEnvironment(_ => null).Enabled.ShouldBeFalse();
        Should.Throw<ConfigurationException>(() => ClientPrincipalOptions.FromEnvironment(n => n == "WARDEN_EASYAUTH_ROLE_MAP" ? "X=superuser" : null))
            .Message.ShouldContain("WARDEN_EASYAUTH_ROLE_MAP");
    }

    private static string Principal(string tenant, string role) => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        auth_typ = "aad",
        name_typ = "name",
        role_typ = "roles",
        claims = new[]
        {
            new { typ = "name", val = "Ada Reviewer" },
            new { typ = "roles", val = role },
            new { typ = "tid", val = tenant },
        },
    })));

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string principal)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add(ClientPrincipalOptions.Header, principal);
        return await _http.SendAsync(request);
    }
}
