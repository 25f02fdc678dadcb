using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shouldly;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>
/// Two real `warden serve` processes sharing one storage account (Azurite) through WARDEN_STORE=tables. The account
/// is shared by the tests of this class, so each test works in a tenant of its own.
/// </summary>
[Collection(AzuriteServer.Collection)]
public sealed class TablesEndToEndTests(AzuriteServer azurite)
{
    private static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "warden-e2e-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>Both processes start together (table creation and bootstrap race), each with its own data directory.</summary>
    private async Task<(WardenServer A, WardenServer B)> StartPairAsync()
    {
        var env = new Dictionary<string, string> { ["WARDEN_STORE"] = "tables", ["WARDEN_TABLES_CONNECTION_STRING"] = azurite.ConnectionString };
        var servers = await Task.WhenAll(WardenServer.StartAsync(NewDataDirectory(), env), WardenServer.StartAsync(NewDataDirectory(), env));
        return (servers[0], servers[1]);
    }

    /// <summary>A new tenant created through server A, and a client for <paramref name="server"/> holding its admin key.</summary>
    private static async Task<(string Tenant, string Key)> NewTenantAsync(WardenServer server)
    {
        var id = "t-" + Guid.NewGuid().ToString("N")[..10];
        var response = await server.Http.PostAsJsonAsync("/api/v1/tenants", new { id, name = "Acme" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, body.ToString());
        return (id, body.GetProperty("admin_key").GetString()!);
    }

    private static HttpClient As(WardenServer server, string key)
    {
        var http = new HttpClient { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Add("X-API-Key", key);
        return http;
    }

    [Fact]
    public async Task Serve_TwoProcessesOneAccount_TenantKeysGraphsAndAuditShared()
    {
        // Arrange
        var (a, b) = await StartPairAsync();
        using var serverA = a;
        using var serverB = b;
        var (tenant, adminKey) = await NewTenantAsync(serverA);
        using var adminOnA = As(serverA, adminKey);
        using var adminOnB = As(serverB, adminKey);

        // Act: a key issued on A, a graph uploaded through A, both used through B
        var issued = await (await adminOnA.PostAsJsonAsync("/api/v1/keys", new { name = "ci", role = "operator" })).Content.ReadFromJsonAsync<JsonElement>();
        using var operatorOnB = As(serverB, issued.GetProperty("key").GetString()!);
        (await adminOnA.PostAsync("/api/v1/graphs", new StringContent("""
            name: shared
            nodes:
              - { id: a, role: researcher, prompt: "research {{input.task}}" }
            """, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();
        var graphsOnB = await operatorOnB.GetFromJsonAsync<JsonElement>("/api/v1/graphs");
        var demoGraphsOnB = await serverB.Http.GetFromJsonAsync<JsonElement>("/api/v1/graphs");
        var audit = await adminOnB.GetFromJsonAsync<JsonElement>("/api/v1/audit");
        var verified = await (await adminOnA.PostAsync("/api/v1/audit/verify", null)).Content.ReadFromJsonAsync<JsonElement>();
        var revoke = await adminOnB.DeleteAsync($"/api/v1/keys/{issued.GetProperty("key_id").GetString()}");
        var afterRevoke = await As(serverA, issued.GetProperty("key").GetString()!).GetAsync("/api/v1/graphs");

        // Assert
        graphsOnB.GetProperty("items").EnumerateArray().Select(g => g.GetProperty("graph_id").GetString()).ShouldBe(["shared"]);
        demoGraphsOnB.GetProperty("items").EnumerateArray().Select(g => g.GetProperty("graph_id").GetString()).ShouldNotContain("shared"); // another tenant's graph is not there
        audit.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("action").GetString()).ShouldBe(["graph.uploaded", "key.issued", "key.issued"]);
        audit.GetProperty("items").EnumerateArray().ShouldAllBe(r => r.GetProperty("tenant_id").GetString() == tenant);
        verified.GetProperty("ok").GetBoolean().ShouldBeTrue(verified.ToString());
        revoke.StatusCode.ShouldBe(HttpStatusCode.OK);
        afterRevoke.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Serve_TwoProcessesOneAccount_101stRequestAcrossBothGets429()
    {
        // Arrange: a tenant of its own, so no other test's requests count against its minute
        var (a, b) = await StartPairAsync();
        using var serverA = a;
        using var serverB = b;
        var (_, key) = await NewTenantAsync(serverA);
        using var onA = As(serverA, key);
        using var onB = As(serverB, key);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;

        // Act: requests alternate between the two processes
        await RateWindow.StartWithRoomAsync(TimeSpan.FromSeconds(40));
        for (var i = 0; i < 101; i++)
        {
            last?.Dispose();
            last = await (i % 2 == 0 ? onA : onB).GetAsync("/api/v1/graphs");
            statuses.Add(last.StatusCode);
        }

        // Assert
        statuses.Take(100).ShouldAllBe(s => s == HttpStatusCode.OK);
        last!.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        last.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe("100");
        last.Headers.GetValues("X-RateLimit-Remaining").Single().ShouldBe("0");
        last.Headers.RetryAfter!.Delta!.Value.ShouldBeGreaterThan(TimeSpan.Zero);
        (await last.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_code").GetString().ShouldBe("RATE_LIMITED");
        last.Dispose();
    }

    [Fact]
    public async Task Serve_StoreTablesWithoutAccount_ExitsWithOneLineNamingTheSettings()
    {
        // Arrange
        var env = new Dictionary<string, string> { ["WARDEN_DATA_DIR"] = NewDataDirectory(), ["WARDEN_STORE"] = "tables" };

        // Act
        using var serve = WardenProcess.Start(env, "serve", "--urls", $"http://127.0.0.1:{WardenProcess.FreePort()}");
        var exit = await serve.WaitForExitAsync(TimeSpan.FromMinutes(1));

        // Assert
        exit.ShouldBe(2, serve.Output);
        serve.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ShouldHaveSingleItem().ShouldStartWith("error: WARDEN_STORE=tables needs a storage account: set WARDEN_TABLES_CONNECTION_STRING");
    }
}
