using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Releases;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Releases;

/// <summary>`warden serve`'s schedule for the release guard, on a fake clock the test advances past RELEASE_GUARD_INTERVAL.</summary>
public sealed class ReleaseGuardSchedulerTests
{
    private const string AdminKey = "release-guard-scheduler-key";

    [Fact]
    public async Task Scheduler_IntervalElapses_GuardRollsTheBreachingReleaseBack()
    {
        // Arrange: v1 passed a guard check; v2 (every run fails) released over it and run once
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
        EngineHostedService.ShowBootstrapKey = _ => { };
        await using var app = WardenWebHost.Build(
            new WardenSettings { DataDirectory = TestWarden.NewDataDirectory(), Url = "http://127.0.0.1:0", BootstrapApiKey = AdminKey, Synchronous = SqliteSynchronous.Normal, ReleaseGuardInterval = TimeSpan.FromMinutes(5) },
            clock,
            minimumLogLevel: LogLevel.Warning);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.Add("X-API-Key", AdminKey);
        const string slos = "\nslos:\n  auto_rollback: true\n  min_runs: 1\n  objectives:\n    - success_rate: 1.0\n";
        await PostAsync(http, "/api/v1/graphs", Support.Graphs.Sequential(name: "sched", nodes: 1, retry: "retries: 0") + slos, "application/yaml");
        await PostAsync(http, "/api/v1/graphs", Support.Graphs.Sequential(name: "sched", nodes: 1, mock: "{ error_rate: 1 }", retry: "retries: 0") + slos, "application/yaml");
        var v1 = (await PostAsync(http, "/api/v1/releases/guard", """{"graph":"sched","version":1,"environment":"prod"}""")).GetProperty("snapshot_id").GetString();
        await PostAsync(http, "/api/v1/graphs/sched/releases", """{"version":1,"channel":"active"}""");
        await PostAsync(http, "/api/v1/graphs/sched/releases", """{"version":2,"channel":"active"}""");
        (await PostAsync(http, "/api/v1/graphs/sched/runs", """{"input":{"task":"t"},"wait_seconds":30}""")).GetProperty("status").GetString().ShouldBe("failed");

        // Act: the interval passes on the host's clock
        clock.Advance(TimeSpan.FromMinutes(5));
        string? active = null;
        for (var i = 0; i < 200 && active != v1; i++)
        {
            active = (await http.GetFromJsonAsync<JsonElement>("/api/v1/graphs/sched/releases")).GetProperty("channels").GetProperty("active").GetString();
            if (active != v1)
            {
                await Task.Delay(50);
            }
        }

        // Assert
        active.ShouldBe(v1);
        var latest = (await http.GetFromJsonAsync<JsonElement>("/api/v1/graphs/sched/releases")).GetProperty("history")[0];
        latest.GetProperty("actor").GetString().ShouldBe(ReleaseGuard.SystemActor);
        await app.StopAsync();
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("1h", 3600)]
    public void FromEnvironment_ReleaseGuardInterval_IsADuration(string text, int seconds) =>
        WardenSettings.FromEnvironment(name => name == "RELEASE_GUARD_INTERVAL" ? text : null).ReleaseGuardInterval.ShouldBe(TimeSpan.FromSeconds(seconds));

    [Fact]
    public void FromEnvironment_ReleaseGuardIntervalOff_NeverRuns() =>
        WardenSettings.FromEnvironment(name => name == "RELEASE_GUARD_INTERVAL" ? "off" : null).ReleaseGuardInterval.ShouldBeNull();

    [Fact]
    public void FromEnvironment_ReleaseGuardIntervalNotADuration_NamesTheVariable() =>
        Should.Throw<ConfigurationException>(() => WardenSettings.FromEnvironment(name => name == "RELEASE_GUARD_INTERVAL" ? "often" : null))
            .Message.ShouldContain("RELEASE_GUARD_INTERVAL");

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, string body, string contentType = "application/json")
    {
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.IsSuccessStatusCode.ShouldBeTrue(json.ToString());
        return json;
    }
}
