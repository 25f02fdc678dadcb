using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shouldly;
using Warden.Runtime.Api;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Api;

/// <summary>
/// Every endpoint × every role (allowed ones get past the role check, the others get 403), and every endpoint that
/// takes an id called by another tenant with this tenant's ids (404, and nothing of this tenant in the reply).
/// </summary>
public sealed class AccessMatrixTests : IAsyncLifetime
{
    private const string AdminKey = "matrix-admin-key";

    /// <summary>method, path, JSON body (null for none), roles allowed.</summary>
    private static readonly (string Method, string Path, string? Body, string[] Roles)[] Endpoints =
    [
        ("GET", "/api/v1/graphs", null, Roles.Any),
        ("POST", "/api/v1/graphs", "yaml", Roles.ManageGraphs),
        ("GET", "/api/v1/graphs/{graph}", null, Roles.Any),
        ("GET", "/api/v1/graphs/{graph}/versions/1", null, Roles.Any),
        ("POST", "/api/v1/graphs/{graph}/runs", "{}", Roles.StartRuns),
        ("GET", "/api/v1/graphs/{graph}/snapshots", null, Roles.Any),
        ("POST", "/api/v1/graphs/{graph}/snapshots", "{}", Roles.ManageReleases),
        ("GET", "/api/v1/graphs/{graph}/releases", null, Roles.Any),
        ("POST", "/api/v1/graphs/{graph}/releases", """{"version":1,"channel":"candidate"}""", Roles.ManageReleases),
        ("POST", "/api/v1/graphs/{graph}/rollback", "{}", Roles.ManageReleases),
        ("GET", "/api/v1/graphs/{graph}/shadow", null, Roles.Any),
        ("PUT", "/api/v1/graphs/{graph}/shadow", """{"version":1,"percent":0}""", Roles.ManageReleases),
        ("GET", "/api/v1/graphs/{graph}/shadow/results", null, Roles.Any),
        ("DELETE", "/api/v1/graphs/{graph}/shadow", null, Roles.ManageReleases),
        ("POST", "/api/v1/releases/guard", """{"graph":"{graph}","version":1,"environment":"prod"}""", Roles.GuardReleases),
        ("GET", "/api/v1/runs", null, Roles.Any),
        ("GET", "/api/v1/runs/{run}", null, Roles.Any),
        ("GET", "/api/v1/runs/{run}/events", null, Roles.Any),
        ("POST", "/api/v1/runs/{run}/control", """{"action":"pause"}""", Roles.ControlRuns),
        ("GET", "/api/v1/runs/{run}/approvals", null, Roles.Any),
        ("GET", "/api/v1/runs/{run}/diff/{run}", null, Roles.Any),
        ("GET", "/api/v1/runs/{run}/compliance", null, Roles.ReadAudit),
        ("POST", "/api/v1/runs/{run}/replay", """{"mode":"exact"}""", Roles.StartRuns),
        ("GET", "/api/v1/runs/{run}/recording", null, Roles.Any),
        ("POST", "/api/v1/recordings", "{}", Roles.StartRuns),
        ("GET", "/api/v1/approvals", null, Roles.Any),
        ("POST", "/api/v1/approvals/{approval}/decision", """{"decision":"approve"}""", Roles.DecideApprovals),
        ("GET", "/api/v1/usage", null, Roles.Any),
        ("GET", "/api/v1/metrics/llm/summary", null, Roles.Any),
        ("GET", "/api/v1/metrics/llm/timeseries", null, Roles.Any),
        ("GET", "/api/v1/guardrails", null, Roles.AdminOnly),
        ("POST", "/api/v1/guardrails/breakers/openai/reset", null, Roles.AdminOnly),
        ("PUT", "/api/v1/budgets/graph:{graph}", """{"max_cost_usd":100}""", Roles.AdminOnly),
        ("POST", "/api/v1/tenants", """{"id":"t-new","name":"New"}""", Roles.AdminOnly),
        ("POST", "/api/v1/keys", """{"name":"k","role":"viewer"}""", Roles.AdminOnly),
        ("GET", "/api/v1/keys", null, Roles.AdminOnly),
        ("DELETE", "/api/v1/keys/{key}", null, Roles.AdminOnly),
        ("GET", "/api/v1/tools", null, Roles.Any),
        ("POST", "/api/v1/tools", """{"name":"t-x","action_class":"read"}""", Roles.ManageCatalog),
        ("GET", "/api/v1/tools/{tool}", null, Roles.Any),
        ("PUT", "/api/v1/tools/{tool}", """{"action_class":"read"}""", Roles.ManageCatalog),
        ("DELETE", "/api/v1/tools/{tool}", null, Roles.ManageCatalog),
        ("GET", "/api/v1/agents", null, Roles.Any),
        ("POST", "/api/v1/agents", """{"name":"a-x","role":"planner","prompt":"p"}""", Roles.ManageCatalog),
        ("GET", "/api/v1/agents/{agent}", null, Roles.Any),
        ("PUT", "/api/v1/agents/{agent}", """{"role":"planner","prompt":"p"}""", Roles.ManageCatalog),
        ("DELETE", "/api/v1/agents/{agent}", null, Roles.ManageCatalog),
        ("POST", "/api/v1/evals/judge", """{"rubric":"names the plan","output":"the plan"}""", Roles.StartRuns),
        ("GET", "/api/v1/suites", null, Roles.Any),
        ("GET", "/api/v1/suite-runs", null, Roles.Any),
        ("POST", "/api/v1/tasks", """{"title":"t"}""", [Roles.Admin, Roles.Operator, Roles.Reviewer, Roles.Api]),
        ("GET", "/api/v1/tasks", null, Roles.Any),
        ("GET", "/api/v1/escalations", null, Roles.Any),
        ("GET", "/api/v1/tasks/{task}", null, Roles.Any),
        ("POST", "/api/v1/tasks/{task}/transitions", """{"action":"ack","agent":"nobody"}""", [Roles.Admin, Roles.Operator, Roles.Api, Roles.Reviewer]),
        ("POST", "/api/v1/tasks/{task}/override", """{"status":"queued","reason":"r"}""", [Roles.Admin, Roles.Reviewer]),
        ("POST", "/api/v1/tasks/{task}/escalate", """{"reason":"r"}""", [Roles.Admin, Roles.Operator, Roles.Api, Roles.Reviewer]),
        ("POST", "/api/v1/tasks/{task}/resolve", """{"resolution":"r"}""", [Roles.Admin, Roles.Reviewer]),
    ];

    private WebApplication _app = null!;
    private HttpClient _admin = null!;
    private readonly Dictionary<string, string> _ids = [];

    public async Task InitializeAsync()
    {
        EngineHostedService.ShowBootstrapKey = _ => { };
        var settings = new WardenSettings { DataDirectory = TestWarden.NewDataDirectory(), Url = "http://127.0.0.1:0", BootstrapApiKey = AdminKey, Synchronous = SqliteSynchronous.Normal };
        settings.Guardrails.ApiRequestsPerMinute = 100_000;
        _app = WardenWebHost.Build(settings, minimumLogLevel: LogLevel.Warning);
        await _app.StartAsync();
        _admin = Client(AdminKey);

        // Resources of the demo tenant that the id-taking endpoints point at.
        await SendAsync(_admin, "POST", "/api/v1/graphs", "yaml");
        var run = await (await SendAsync(_admin, "POST", "/api/v1/graphs/gated/runs", """{"input":{"task":"t"}}""")).Content.ReadFromJsonAsync<JsonElement>();
        _ids["graph"] = "gated";
        _ids["run"] = run.GetProperty("run_id").GetString()!;
        for (var i = 0; i < 100 && !_ids.ContainsKey("approval"); i++)
        {
            var approvals = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{_ids["run"]}/approvals");
            if (approvals.GetProperty("items").GetArrayLength() > 0)
            {
                _ids["approval"] = approvals.GetProperty("items")[0].GetProperty("approval_id").GetString()!;
            }
            else
            {
                await Task.Delay(50);
            }
        }

        await SendAsync(_admin, "POST", "/api/v1/tools", """{"name":"search","action_class":"read"}""");
        await SendAsync(_admin, "POST", "/api/v1/agents", """{"name":"scout","role":"researcher","prompt":"find things","tools":["search"]}""");
        var key = await (await SendAsync(_admin, "POST", "/api/v1/keys", """{"name":"spare","role":"viewer"}""")).Content.ReadFromJsonAsync<JsonElement>();
        var task = await (await SendAsync(_admin, "POST", "/api/v1/tasks", """{"title":"review refunds","assignee":"agent-1"}""")).Content.ReadFromJsonAsync<JsonElement>();
        _ids["task"] = task.GetProperty("id").GetString()!;
        _ids["tool"] = "search";
        _ids["agent"] = "scout";
        _ids["key"] = key.GetProperty("key_id").GetString()!;
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task EveryEndpoint_EveryRole_OnlyAllowedRolesPassTheRoleCheck()
    {
        var tenants = _app.Services.GetRequiredService<ITenantStore>();
        var failures = new List<string>();
        foreach (var role in Roles.Any)
        {
            using var client = Client(await tenants.IssueKeyAsync("demo", "matrix-" + role, role));
            foreach (var (method, path, body, allowed) in Endpoints)
            {
                // Ids of throwaway resources, so allowed deletes do not remove what later rows need.
                var target = Expand(path).Replace(_ids["tool"], "nope-tool", StringComparison.Ordinal).Replace(_ids["agent"], "nope-agent", StringComparison.Ordinal).Replace(_ids["key"], "key_nope", StringComparison.Ordinal);
                using var response = await SendAsync(client, method, target, body is null ? null : Expand(body));
                var forbidden = response.StatusCode == HttpStatusCode.Forbidden;
                if (allowed.Contains(role) == forbidden || response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    failures.Add($"{role} {method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }

                if (forbidden)
                {
                    (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_code").GetString().ShouldBe("FORBIDDEN");
                }
            }
        }

        failures.ShouldBeEmpty();
    }

    [Fact]
    public async Task EveryIdEndpoint_OtherTenantsIds_404AndNothingLeaks()
    {
        var tenants = _app.Services.GetRequiredService<ITenantStore>();
        await tenants.CreateTenantAsync("other", "Other");
        using var other = Client(await tenants.IssueKeyAsync("other", "intruder", Roles.Admin));
        var failures = new List<string>();

        // Ids in the path, or a graph id in the body (the release guard's).
        foreach (var (method, path, body, _) in Endpoints.Where(e => e.Path.Contains('{', StringComparison.Ordinal) || e.Body?.Contains("{graph}", StringComparison.Ordinal) == true))
        {
            var target = Expand(path);
            var asked = target + (body is null ? null : Expand(body));
            using var response = await SendAsync(other, method, target, body is null ? null : Expand(body));
            var text = await response.Content.ReadAsStringAsync();

            // A 404 may echo the id that was asked for; it must carry nothing else of the owner's.
            var leaked = _ids.Values.Where(id => text.Contains(id, StringComparison.Ordinal) && !asked.Contains(id, StringComparison.Ordinal)).ToList();
            if (response.StatusCode != HttpStatusCode.NotFound || leaked.Count > 0 || text.Contains("find things", StringComparison.Ordinal))
            {
                failures.Add($"{method} {path}: {(int)response.StatusCode} {text}");
            }
        }

        // A judge call's usage is its caller's tenant's alone.
        (await SendAsync(_admin, "POST", "/api/v1/evals/judge", """{"rubric":"names the plan","output":"the plan"}""")).EnsureSuccessStatusCode();
        (await _admin.GetStringAsync("/api/v1/usage?group_by=graph")).ShouldContain("evals.judge");
        var othersUsage = await other.GetStringAsync("/api/v1/usage?group_by=graph");
        if (othersUsage.Contains("evals.judge", StringComparison.Ordinal))
        {
            failures.Add($"GET /api/v1/usage shows the demo tenant's judge calls: {othersUsage}");
        }

        // Lists show only the caller's own tenant.
        foreach (var list in new[] { "/api/v1/graphs", "/api/v1/runs", "/api/v1/approvals", "/api/v1/tools", "/api/v1/agents", "/api/v1/keys", "/api/v1/usage" })
        {
            var text = await other.GetStringAsync(list);
            foreach (var id in _ids.Values)
            {
                if (text.Contains(id, StringComparison.Ordinal))
                {
                    failures.Add($"GET {list} shows '{id}': {text}");
                }
            }
        }

        failures.ShouldBeEmpty();
    }

    private string Expand(string path)
    {
        foreach (var (name, id) in _ids)
        {
            path = path.Replace("{" + name + "}", id, StringComparison.Ordinal);
        }

        return path;
    }

    private HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body == "yaml")
        {
            request.Content = new StringContent(Support.Graphs.Gate, Encoding.UTF8, "application/yaml");
        }
        else if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }
}
