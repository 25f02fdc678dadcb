using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>Breakers, fallback, budgets, the API rate limit and usage on the real `warden serve` process.</summary>
public sealed class GuardrailsEndToEndTests
{
    private const string FallbackGraph = """
        name: fallback
        defaults:
          providers: [ "openai:gpt-4o-mini", "mock:mock-1" ]
          retries: 0
        nodes:
          - { id: a, role: researcher, prompt: "a {{input.task}}" }
          - { id: b, role: planner, prompt: "b {{upstream}}" }
          - { id: c, role: coder, prompt: "c {{upstream}}" }
        edges: [ "a -> b", "b -> c" ]
        """;

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "warden-e2e-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public async Task Serve_ProviderFailing_BreakerOpensRunFallsBackThenBreakerClosesAfterBreak()
    {
        await using var openai = await FakeOpenAi.StartAsync();
        using var server = await WardenServer.StartAsync(_dataDir, Environment(openai));
        await server.UploadAsync(FallbackGraph);

        var first = await server.WaitForEndAsync(await server.StartRunAsync("fallback"));
        var openBreaker = await BreakerAsync(server, "openai");
        var requestsWhileFailing = openai.Requests;
        openai.Failing = false;
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the break time (BREAKER_BREAK_SECONDS=1) passes in the server process
        var second = await server.WaitForEndAsync(await server.StartRunAsync("fallback"));
        var closedBreaker = await BreakerAsync(server, "openai");
        var usage = await server.Http.GetFromJsonAsync<JsonElement>("/api/v1/usage?group_by=provider");

        first.GetProperty("status").GetString().ShouldBe("completed");
        openBreaker.GetProperty("status").GetString().ShouldBe("open");
        requestsWhileFailing.ShouldBe(6); // a and b: 1 call + 2 retries each; c skipped openai (breaker open)
        second.GetProperty("status").GetString().ShouldBe("completed");
        second.GetProperty("nodes").EnumerateArray().ShouldAllBe(n => n.GetProperty("provider").GetString() == "openai");
        closedBreaker.GetProperty("status").GetString().ShouldBe("closed");
        var byProvider = usage.GetProperty("items").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);
        byProvider["openai"].GetProperty("calls").GetInt64().ShouldBe(openai.Requests); // every call the fake saw, recorded once
        byProvider["mock"].GetProperty("calls").GetInt64().ShouldBe(3);
    }

    [Fact]
    public async Task Serve_RunOverItsBudget_KilledWithBudgetExceeded()
    {
        using var server = await WardenServer.StartAsync(_dataDir, new Dictionary<string, string> { ["API_RATE_LIMIT_PER_MIN"] = "100000" });
        await server.UploadAsync("""
            name: pricey
            budget: { max_cost_usd: 0.00095 }
            nodes:
              - { id: a, role: researcher, prompt: "research {{input.task}}" }
              - { id: b, role: planner, prompt: "plan {{upstream}}" }
              - { id: c, role: coder, prompt: "code {{upstream}}" }
              - { id: d, role: finalizer, prompt: "sum {{upstream}}" }
            edges: [ "a -> b", "b -> c", "c -> d" ]
            """);

        var run = await server.WaitForEndAsync(await server.StartRunAsync("pricey"));

        run.GetProperty("status").GetString().ShouldBe("failed");
        run.GetProperty("error_code").GetString().ShouldBe("BUDGET_EXCEEDED");
        run.GetProperty("usage").GetProperty("cost_usd").GetDecimal().ShouldBeLessThanOrEqualTo(0.00095m);
    }

    [Fact]
    public async Task Serve_101stRequestInAMinute_429WithRateLimitHeaders()
    {
        using var server = await WardenServer.StartAsync(_dataDir);
        HttpResponseMessage? last = null;
        var statuses = new List<HttpStatusCode>();

        await RateWindow.StartWithRoomAsync(TimeSpan.FromSeconds(40));
        for (var i = 0; i < 101; i++)
        {
            last?.Dispose();
            last = await server.Http.GetAsync("/api/v1/graphs");
            statuses.Add(last.StatusCode);
        }

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
    public async Task Serve_KilledMidRunOnRealProvider_UsageCountsEachCompletedCallOnce()
    {
        await using var openai = await FakeOpenAi.StartAsync();
        openai.Failing = false;
        openai.DelayMs = 700;
        var env = Environment(openai);
        string runId;
        int port;
        using (var first = await WardenServer.StartAsync(_dataDir, env))
        {
            port = first.Port;
            await first.UploadAsync(FallbackGraph.Replace("name: fallback", "name: slow-openai", StringComparison.Ordinal));
            runId = await first.StartRunAsync("slow-openai");
            await first.WaitForAsync(runId, run => WardenServer.NodeStatus(run, "a") == "succeeded" && WardenServer.NodeStatus(run, "b") == "running");
            first.Kill();
        }

        using var second = await WardenServer.StartAsync(_dataDir, env, port);
        var run = await second.WaitForEndAsync(runId);
        var usage = await second.Http.GetFromJsonAsync<JsonElement>("/api/v1/usage?group_by=agent");

        run.GetProperty("status").GetString().ShouldBe("completed");
        var byAgent = usage.GetProperty("items").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!, r => r.GetProperty("calls").GetInt64());
        byAgent.ShouldBe(new Dictionary<string, long> { ["a"] = 1, ["b"] = 1, ["c"] = 1 });

        // b's first call was in flight when the process died: the fake saw it, but no answer was ever recorded.
        openai.Requests.ShouldBeInRange(3, 4);
        run.GetProperty("usage").GetProperty("input_tokens").GetInt64().ShouldBe(3 * 120);
    }

    private static Dictionary<string, string> Environment(FakeOpenAi openai) => new()
    {
        ["OPENAI_API_KEY"] = "sk-e2e-not-a-real-key",
        ["OPENAI_BASE_URL"] = openai.BaseUrl,
        ["BREAKER_BREAK_SECONDS"] = "1",
        ["API_RATE_LIMIT_PER_MIN"] = "100000",
    };

    private static async Task<JsonElement> BreakerAsync(WardenServer server, string key)
    {
        var guardrails = await server.Http.GetFromJsonAsync<JsonElement>("/api/v1/guardrails");
        return guardrails.GetProperty("breakers").EnumerateArray().Single(b => b.GetProperty("key").GetString() == key);
    }
}
