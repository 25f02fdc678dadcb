using System.Text.Json;
using Shouldly;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>`warden runs diff` as a user runs it: the real process against a real `warden serve`.</summary>
public sealed class RunDiffEndToEndTests
{
    private const string V1 = """
        name: diffed
        nodes:
          - { id: plan, role: planner, prompt: "plan {{input.task}}" }
          - { id: code, role: coder, prompt: "code {{nodes.plan.output}}" }
        edges: [ "plan -> code" ]
        """;

    private const string V2 = """
        name: diffed
        nodes:
          - { id: plan, role: planner, prompt: "plan {{input.task}}" }
          - { id: code, role: coder, prompt: "code {{nodes.plan.output}}" }
          - { id: review, role: reviewer, prompt: "review {{nodes.code.output}}" }
        edges: [ "plan -> code", "code -> review" ]
        """;

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "warden-e2e-diff-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public async Task RunsDiff_AgainstServer_SummaryShowsAddedNodeAndLineDiff_JsonIsTheApisReply()
    {
        using var server = await WardenServer.StartAsync(_dataDir);
        await server.UploadAsync(V1);
        var a = await server.StartRunAsync("diffed", """{"input":{"task":"sort numbers"},"seed":1}""");
        (await server.WaitForEndAsync(a)).GetProperty("status").GetString().ShouldBe("completed");
        await server.UploadAsync(V2);
        var b = await server.StartRunAsync("diffed", """{"input":{"task":"sort numbers"},"seed":2}""");
        (await server.WaitForEndAsync(b)).GetProperty("status").GetString().ShouldBe("completed");
        var url = server.Http.BaseAddress!.ToString();

        using var summary = WardenProcess.Start(null, "runs", "diff", a, b, "--server", url, "--api-key", WardenServer.Key);
        var summaryExit = await summary.WaitForExitAsync(TimeSpan.FromMinutes(1));
        using var json = WardenProcess.Start(null, "runs", "diff", a, b, "--json", "--server", url, "--api-key", WardenServer.Key);
        var jsonExit = await json.WaitForExitAsync(TimeSpan.FromMinutes(1));
        using var missing = WardenProcess.Start(null, "runs", "diff", a, "run_nope", "--server", url, "--api-key", WardenServer.Key);
        var missingExit = await missing.WaitForExitAsync(TimeSpan.FromMinutes(1));

        summaryExit.ShouldBe(0, summary.Output);
        summary.Output.ShouldContain($"a {a} diffed v1: completed");
        summary.Output.ShouldContain($"b {b} diffed v2: completed");
        summary.Output.ShouldContain("added: review");
        summary.Output.ShouldContain("--- plan output");
        summary.Output.Split('\n').ShouldContain(l => l.StartsWith("+ ", StringComparison.Ordinal));
        summary.Output.Split('\n').ShouldContain(l => l.StartsWith("- ", StringComparison.Ordinal));

        jsonExit.ShouldBe(0, json.Output);
        var fromCli = JsonDocument.Parse(json.Output).RootElement;
        var fromApi = JsonDocument.Parse(await server.Http.GetStringAsync($"/api/v1/runs/{a}/diff/{b}")).RootElement;
        fromCli.GetProperty("path").GetProperty("added")[0].GetString().ShouldBe("review");
        fromCli.GetProperty("similarity").GetDouble().ShouldBe(fromApi.GetProperty("similarity").GetDouble());
        fromCli.GetProperty("nodes").GetArrayLength().ShouldBe(3);
        JsonSerializer.Serialize(fromCli.GetProperty("deltas")).ShouldBe(JsonSerializer.Serialize(fromApi.GetProperty("deltas")));

        missingExit.ShouldBe(1, missing.Output);
        missing.Output.ShouldContain("run_nope");
    }
}
