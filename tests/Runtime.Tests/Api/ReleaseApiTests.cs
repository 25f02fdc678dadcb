using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Api;

/// <summary>Snapshots, channels and rollback through the HTTP API on a real Kestrel server, as `warden serve` hosts it.</summary>
public sealed class ReleaseApiTests : IAsyncLifetime
{
    private const string AdminKey = "release-api-admin-key";

    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        EngineHostedService.ShowBootstrapKey = _ => { };
        _app = WardenWebHost.Build(
            new WardenSettings { DataDirectory = TestWarden.NewDataDirectory(), Url = "http://127.0.0.1:0", BootstrapApiKey = AdminKey, Synchronous = SqliteSynchronous.Normal },
            minimumLogLevel: LogLevel.Warning);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        _http.DefaultRequestHeaders.Add("X-API-Key", AdminKey);
        (await PostYamlAsync("/api/v1/graphs", Support.Graphs.Sequential(name: "rel", nodes: 2))).EnsureSuccessStatusCode();
        (await PostYamlAsync("/api/v1/graphs", Support.Graphs.Sequential(name: "rel", nodes: 3))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task StartRun_NoRelease_RunsLatestVersionAndRecordsItsSnapshot()
    {
        // Act
        var run = await StartAsync("""{"input":{},"wait_seconds":30}""");
        var snapshots = await _http.GetFromJsonAsync<JsonElement>("/api/v1/graphs/rel/snapshots");

        // Assert
        run.GetProperty("graph_version").GetInt64().ShouldBe(2);
        var snapshot = snapshots.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        run.GetProperty("snapshot_id").GetString().ShouldBe(snapshot.GetProperty("snapshot_id").GetString());
        snapshot.GetProperty("graph_version").GetInt64().ShouldBe(2);
        snapshot.GetProperty("content_hash").GetString()!.Length.ShouldBe(64);
    }

    [Fact]
    public async Task ReleaseThenRollback_ActiveAndCandidate_RunsFollowTheChannels()
    {
        // Arrange: v1 active, v2 candidate
        var v1 = await PostJsonAsync("/api/v1/graphs/rel/releases", """{"version":1,"channel":"active","reason":"first"}""");
        var v2 = await PostJsonAsync("/api/v1/graphs/rel/releases", """{"version":2,"channel":"candidate"}""");
        var again = await PostJsonAsync("/api/v1/graphs/rel/releases", """{"version":2,"channel":"candidate"}""");

        // Act
        var plain = await StartAsync("""{"input":{},"wait_seconds":30}""");
        var candidate = await StartAsync("""{"input":{},"channel":"candidate","wait_seconds":30}""");
        var v2Snapshot = (await v2.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("snapshot_id").GetString();
        var promoted = await PostJsonAsync("/api/v1/graphs/rel/releases", $$"""{"snapshot":"{{v2Snapshot}}","channel":"active"}""");
        var afterPromotion = await StartAsync("""{"input":{},"wait_seconds":30}""");
        var rolledBack = await PostJsonAsync("/api/v1/graphs/rel/rollback", """{"reason":"bad answers"}""");
        var afterRollback = await StartAsync("""{"input":{},"wait_seconds":30}""");
        var nothingLeft = await PostJsonAsync("/api/v1/graphs/rel/rollback", "{}");
        var releases = await _http.GetFromJsonAsync<JsonElement>("/api/v1/graphs/rel/releases");
        var audit = await _http.GetFromJsonAsync<JsonElement>("/api/v1/audit?limit=100");

        // Assert
        v1.StatusCode.ShouldBe(HttpStatusCode.Created);
        v2.StatusCode.ShouldBe(HttpStatusCode.Created);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        plain.GetProperty("graph_version").GetInt64().ShouldBe(1);
        candidate.GetProperty("graph_version").GetInt64().ShouldBe(2);
        candidate.GetProperty("snapshot_id").GetString().ShouldBe(v2Snapshot);
        promoted.StatusCode.ShouldBe(HttpStatusCode.Created);
        afterPromotion.GetProperty("graph_version").GetInt64().ShouldBe(2);
        rolledBack.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await rolledBack.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("graph_version").GetInt64().ShouldBe(1);
        afterRollback.GetProperty("graph_version").GetInt64().ShouldBe(1);
        nothingLeft.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await nothingLeft.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_code").GetString().ShouldBe("NOTHING_TO_ROLL_BACK");
        releases.GetProperty("channels").GetProperty("candidate").GetString().ShouldBe(v2Snapshot);
        releases.GetProperty("history").EnumerateArray().Select(e => (e.GetProperty("channel").GetString(), e.GetProperty("kind").GetString()))
            .ShouldBe([("active", "rollback"), ("active", "release"), ("candidate", "release"), ("active", "release")]);
        var actions = audit.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("action").GetString()).ToList();
        actions.Count(a => a == "release.created").ShouldBe(3);
        actions.Count(a => a == "release.rolled_back").ShouldBe(1);
    }

    [Fact]
    public async Task Releases_OperatorOtherTenantAndBadBodies_AnsweredClearly()
    {
        // Arrange
        var operatorKey = await (await PostJsonAsync("/api/v1/keys", """{"name":"o","role":"operator"}""")).Content.ReadFromJsonAsync<JsonElement>();
        using var op = new HttpClient { BaseAddress = _http.BaseAddress };
        op.DefaultRequestHeaders.Add("X-API-Key", operatorKey.GetProperty("key").GetString());
        var tenant = await (await PostJsonAsync("/api/v1/tenants", """{"id":"t-rel-other","name":"Other"}""")).Content.ReadFromJsonAsync<JsonElement>();
        using var other = new HttpClient { BaseAddress = _http.BaseAddress };
        other.DefaultRequestHeaders.Add("X-API-Key", tenant.GetProperty("admin_key").GetString());

        // Act
        var forbidden = await op.PostAsync("/api/v1/graphs/rel/releases", Json("""{"version":1,"channel":"active"}"""));
        var forbiddenRollback = await op.PostAsync("/api/v1/graphs/rel/rollback", Json("{}"));
        var otherRelease = await other.PostAsync("/api/v1/graphs/rel/releases", Json("""{"version":1,"channel":"active"}"""));
        var otherList = await other.GetAsync("/api/v1/graphs/rel/snapshots");
        var otherRollback = await other.PostAsync("/api/v1/graphs/rel/rollback", Json("{}"));
        var badChannel = await PostJsonAsync("/api/v1/graphs/rel/releases", """{"version":1,"channel":"beta"}""");
        var both = await PostJsonAsync("/api/v1/graphs/rel/releases", """{"version":1,"snapshot":"snap_x","channel":"active"}""");
        var missingSnapshot = await PostJsonAsync("/api/v1/graphs/rel/releases", """{"snapshot":"snap_nope","channel":"active"}""");
        var noCandidate = await PostJsonAsync("/api/v1/graphs/rel/runs", """{"input":{},"channel":"candidate"}""");
        var versionAndChannel = await PostJsonAsync("/api/v1/graphs/rel/runs", """{"input":{},"version":1,"channel":"active"}""");

        // Assert
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        forbiddenRollback.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        otherRelease.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        otherList.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        otherRollback.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        badChannel.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        both.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        missingSnapshot.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        noCandidate.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await noCandidate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString()!.ShouldContain("no candidate release");
        versionAndChannel.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await _http.GetFromJsonAsync<JsonElement>("/api/v1/graphs/rel/releases")).GetProperty("history").GetArrayLength().ShouldBe(0);
    }

    private async Task<JsonElement> StartAsync(string body)
    {
        var response = await PostJsonAsync("/api/v1/graphs/rel/runs", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.IsSuccessStatusCode.ShouldBeTrue(json.ToString());
        return json;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private Task<HttpResponseMessage> PostJsonAsync(string path, string body) => _http.PostAsync(path, Json(body));

    private Task<HttpResponseMessage> PostYamlAsync(string path, string yaml) =>
        _http.PostAsync(path, new StringContent(yaml, Encoding.UTF8, "application/yaml"));
}
