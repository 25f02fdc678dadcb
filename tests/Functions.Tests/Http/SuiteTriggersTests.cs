using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Functions.Tests.Dispatcher;
using Warden.Functions.Tests.Engines;
using Warden.Runtime.Testing;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Functions.Tests.Http;

/// <summary>
/// Suites on the Functions host: uploaded, run and read back through its HTTP triggers. The suite and its runs live in
/// the app's tables; every case is an ordinary run on the Durable engine over a real task hub on Azurite.
/// </summary>
[Collection(AzuriteServer.Collection)]
public sealed class SuiteTriggersTests(AzuriteServer azurite)
{
    private const string Suite = """
        name: seq-suite
        graph: { id: sequential }
        cases:
          - name: good
            input: { task: ship }
            assert:
              - status: completed
          - name: bad
            input: { task: ship }
            assert:
              - equals: something else
        """;

    [Fact]
    public async Task SuiteRun_OnFunctionsHost_RunsCasesOnDurableEngineAndStoresResult()
    {
        // Arrange
        await using var instance = await DurableWarden.StartAsync(azurite.ConnectionString);
        var (graph, _) = await instance.CallTriggerAsync((t, r, c) => t.CreateGraph(r, c), "POST", "/api/v1/graphs", Scenarios.Sequential, "application/yaml");

        // Act
        var (uploaded, suite) = await instance.CallTriggerAsync((t, r, c) => t.CreateSuite(r, c), "POST", "/api/v1/suites", Suite, "application/yaml");
        var (unchanged, _) = await instance.CallTriggerAsync((t, r, c) => t.CreateSuite(r, c), "POST", "/api/v1/suites", Suite, "application/yaml");
        var (started, start) = await instance.CallTriggerAsync((t, r, c) => t.StartSuiteRun(r, c, "seq-suite"), "POST", "/api/v1/suites/seq-suite/runs", """{"parallel":2}""");
        var suiteRunId = Json(start).GetProperty("suite_run_id").GetString()!;
        await instance.Services.GetRequiredService<SuiteRunDispatcher>().WaitAsync(suiteRunId).WaitAsync(TimeSpan.FromMinutes(2));
        var (read, run) = await instance.CallTriggerAsync((t, r, c) => t.GetSuiteRun(r, c, suiteRunId), "GET", $"/api/v1/suite-runs/{suiteRunId}");
        var (_, list) = await instance.CallTriggerAsync((t, r, c) => t.ListSuiteRuns(r, c), "GET", "/api/v1/suite-runs");
        var (_, suites) = await instance.CallTriggerAsync((t, r, c) => t.ListSuites(r, c), "GET", "/api/v1/suites");

        // Assert
        graph.ShouldBe(StatusCodes.Status201Created);
        uploaded.ShouldBe(StatusCodes.Status201Created, suite);
        unchanged.ShouldBe(StatusCodes.Status200OK);
        started.ShouldBe(StatusCodes.Status202Accepted, start);
        read.ShouldBe(StatusCodes.Status200OK, run);
        Json(run).GetProperty("status").GetString().ShouldBe("failed", run);
        var result = Json(run).GetProperty("result");
        result.GetProperty("cases_passed").GetInt32().ShouldBe(1, run);
        result.GetProperty("cases_failed").GetInt32().ShouldBe(1);
        var cases = result.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        cases["good"].GetProperty("passed").GetBoolean().ShouldBeTrue(run);
        cases["good"].GetProperty("status").GetString().ShouldBe("completed");
        var bad = cases["bad"].GetProperty("assertions")[0];
        bad.GetProperty("passed").GetBoolean().ShouldBeFalse();
        bad.GetProperty("expected").GetString().ShouldBe("something else");

        // The case runs are the Durable engine's runs, read back through the run triggers.
        var caseRunId = cases["bad"].GetProperty("run_id").GetString()!;
        var (_, caseRun) = await instance.CallTriggerAsync((t, r, c) => t.GetRun(r, c, caseRunId), "GET", $"/api/v1/runs/{caseRunId}");
        Json(caseRun).GetProperty("status").GetString().ShouldBe("completed", caseRun);
        Json(list).GetProperty("items").EnumerateArray().Select(r => r.GetProperty("suite_run_id").GetString()).ShouldBe([suiteRunId]);
        Json(suites).GetProperty("items")[0].GetProperty("suite_id").GetString().ShouldBe("seq-suite");
    }

    [Fact]
    public async Task SuiteRun_Ended_ReadThroughAnotherInstance()
    {
        // Arrange
        await using var first = await DurableWarden.StartAsync(azurite.ConnectionString);
        await first.CallTriggerAsync((t, r, c) => t.CreateGraph(r, c), "POST", "/api/v1/graphs", Scenarios.Sequential, "application/yaml");
        await first.CallTriggerAsync((t, r, c) => t.CreateSuite(r, c), "POST", "/api/v1/suites", Suite, "application/yaml");
        var (_, start) = await first.CallTriggerAsync((t, r, c) => t.StartSuiteRun(r, c, "seq-suite"), "POST", "/api/v1/suites/seq-suite/runs", """{"filter":"good"}""");
        var suiteRunId = Json(start).GetProperty("suite_run_id").GetString()!;
        await first.Services.GetRequiredService<SuiteRunDispatcher>().WaitAsync(suiteRunId).WaitAsync(TimeSpan.FromMinutes(2));

        // Act
        await using var second = await DurableWarden.StartAsync(azurite.ConnectionString, join: first);
        var (read, run) = await second.CallTriggerAsync((t, r, c) => t.GetSuiteRun(r, c, suiteRunId), "GET", $"/api/v1/suite-runs/{suiteRunId}");
        var (got, suite) = await second.CallTriggerAsync((t, r, c) => t.GetSuite(r, c, "seq-suite"), "GET", "/api/v1/suites/seq-suite");

        // Assert: an ended suite run is not one the second instance's start-up abandons
        read.ShouldBe(StatusCodes.Status200OK, run);
        Json(run).GetProperty("status").GetString().ShouldBe("passed", run);
        Json(run).GetProperty("result").GetProperty("cases_passed").GetInt32().ShouldBe(1);
        got.ShouldBe(StatusCodes.Status200OK, suite);
        Json(suite).GetProperty("version").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task Judge_OnFunctionsHost_GradesOnMockAndRecordsUsageInTables()
    {
        // Arrange
        await using var instance = await DurableWarden.StartAsync(azurite.ConnectionString);

        // Act
        var (status, body) = await instance.CallTriggerAsync((t, r, c) => t.Judge(r, c), "POST", "/api/v1/evals/judge", """{"rubric":"restart and rollback","output":"restart only","min_score":0.5}""");
        var (bad, error) = await instance.CallTriggerAsync((t, r, c) => t.Judge(r, c), "POST", "/api/v1/evals/judge", """{"output":"o"}""");
        var (_, usage) = await instance.CallTriggerAsync((t, r, c) => t.GetUsage(r, c), "GET", "/api/v1/usage");

        // Assert
        status.ShouldBe(StatusCodes.Status200OK, body);
        Json(body).GetProperty("score").GetDouble().ShouldBe(0.5);
        Json(body).GetProperty("passed").GetBoolean().ShouldBeTrue();
        bad.ShouldBe(StatusCodes.Status400BadRequest);
        Json(error).GetProperty("error_code").GetString().ShouldBe("VALIDATION_FAILED");
        // Grouped by agent (node), the default: the judge's calls are the "judge" node's.
        Json(usage).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()).ShouldBe(["judge"], usage);
    }

    private static JsonElement Json(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

}
