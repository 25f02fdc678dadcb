using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>Two real `warden serve` processes sharing one PostgreSQL database through WARDEN_STORE.</summary>
[Collection(PostgresServer.Collection)]
public sealed class PostgresEndToEndTests(PostgresServer postgres)
{
    private static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "warden-e2e-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>Both processes start together on a fresh database (migrations and bootstrap race), each with its own data directory.</summary>
    private async Task<(WardenServer A, WardenServer B)> StartPairAsync()
    {
        var env = new Dictionary<string, string> { ["WARDEN_STORE"] = postgres.Uri(await postgres.CreateDatabaseAsync()) };
        var servers = await Task.WhenAll(WardenServer.StartAsync(NewDataDirectory(), env), WardenServer.StartAsync(NewDataDirectory(), env));
        return (servers[0], servers[1]);
    }

    [Fact]
    public async Task Serve_TwoProcessesOnePostgres_101stRequestAcrossBothGets429()
    {
        // Arrange
        var (a, b) = await StartPairAsync();
        using var serverA = a;
        using var serverB = b;
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;

        // Act: requests alternate between the two processes
        await RateWindow.StartWithRoomAsync(TimeSpan.FromSeconds(40));
        for (var i = 0; i < 101; i++)
        {
            last?.Dispose();
            last = await (i % 2 == 0 ? serverA : serverB).Http.GetAsync("/api/v1/graphs");
            statuses.Add(last.StatusCode);
        }

        // Assert
        statuses.Take(100).ShouldAllBe(s => s == HttpStatusCode.OK);
        last!.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        last.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe("100");
        last.Headers.GetValues("X-RateLimit-Remaining").Single().ShouldBe("0");
        long.Parse(last.Headers.GetValues("X-RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1);
        last.Headers.RetryAfter!.Delta!.Value.ShouldBeGreaterThan(TimeSpan.Zero);
        (await last.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_code").GetString().ShouldBe("RATE_LIMITED");
        last.Dispose();
    }

    [Fact]
    public async Task Serve_TwoProcessesOnePostgres_GraphUploadedToOneRunsOnTheOtherOneAuditChain()
    {
        // Arrange
        var (a, b) = await StartPairAsync();
        using var serverA = a;
        using var serverB = b;

        // Act
        await serverA.UploadAsync("""
            name: shared
            nodes:
              - { id: a, role: researcher, prompt: "research {{input.task}}" }
            """);
        var runId = await serverB.StartRunAsync("shared");
        var run = await serverB.WaitForEndAsync(runId);
        var audit = await serverA.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit");
        var verified = await (await serverB.Http.PostAsync("/api/v1/audit/verify", null)).Content.ReadFromJsonAsync<JsonElement>();

        // Assert
        run.GetProperty("status").GetString().ShouldBe("completed");
        audit.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("action").GetString()).ShouldBe(["run.started", "graph.uploaded"]);
        verified.GetProperty("ok").GetBoolean().ShouldBeTrue(verified.ToString());
        (await serverA.Http.GetAsync($"/api/v1/runs/{runId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound); // run state stays with the engine that ran it
    }

    [Fact]
    public async Task Serve_StoreUnreachable_ExitsWithOneLineNamingWardenStoreWithoutPassword()
    {
        // Arrange: a loopback port nothing listens on
        var port = WardenProcess.FreePort();
        var env = new Dictionary<string, string>
        {
            ["WARDEN_DATA_DIR"] = NewDataDirectory(),
            ["WARDEN_STORE"] = $"postgres://warden:hunter2-secret@127.0.0.1:{port}/warden",
        };

        // Act
        using var serve = WardenProcess.Start(env, "serve", "--urls", $"http://127.0.0.1:{WardenProcess.FreePort()}");
        var exit = await serve.WaitForExitAsync(TimeSpan.FromMinutes(1));

        // Assert
        exit.ShouldBe(2, serve.Output);
        var lines = serve.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.ShouldHaveSingleItem().ShouldStartWith($"error: WARDEN_STORE: cannot use the PostgreSQL store at 127.0.0.1:{port}/warden as warden");
        serve.Output.ShouldNotContain("hunter2");
    }
}
