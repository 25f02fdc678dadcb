using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Core.Contracts;
using Warden.Core.Testing;
using Warden.Runtime.Testing;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Engine;

/// <summary>Node contracts on the real embedded engine: enforced on every attempt, retried, asserted by suites.</summary>
public sealed class ContractEngineTests
{
    /// <summary>The planner's mock reply ("Plan for ...") holds; the scripted replies break it (and a forbidden phrase).</summary>
    private static string Graph(int badReplies, int maxAttempts = 2) => $$$"""
        name: contracted
        contracts:
          plan: { output_schema: { type: string, pattern: "^Plan for " }, forbidden: ['(?i)as an ai'], max_output_tokens: 200 }
        nodes:
          - id: plan
            role: planner
            prompt: "{{input.task}}"
            contract: plan
            retry: { max_attempts: {{{maxAttempts}}}, initial_backoff: 10ms, max_backoff: 20ms }
            mock: { replies: [{{{string.Join(", ", Enumerable.Repeat("'As an AI: no plan'", badReplies))}}}] }
          - id: code
            role: coder
            prompt: "{{upstream}}"
            retries: 0
            contract: { input_schema: { type: string, pattern: "^Plan for " } }
        edges: [plan -> code]
        """;

    [Fact]
    public async Task StartRun_FirstAttemptViolatesContract_RetriedAndCompletes()
    {
        // Arrange
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Graph(badReplies: 1));

        // Act
        var started = await warden.StartAsync("contracted", """{"task":"sort numbers"}""");
        var run = await warden.WaitForEndAsync(started.RunId);

        // Assert
        run.Status.ShouldBe("completed");
        var events = await warden.EventsAsync(started.RunId);
        var failed = events.Single(e => e.Type == "node.failed");
        (failed.NodeId, failed.Attempt).ShouldBe(("plan", 1));
        var data = failed.Data.ShouldNotBeNull();
        data.ShouldContain($"\"error_code\":\"{NodeContract.ViolatedCode}\"");
        data.ShouldContain("contract 'plan' violated: output_schema");
        data.ShouldContain("forbidden[0]");
        events.Single(e => e.Type == "node.completed" && e.NodeId == "plan").Attempt.ShouldBe(2);
        events.ShouldContain(e => e.Type == "node.completed" && e.NodeId == "code");
    }

    [Fact]
    public async Task StartRun_EveryAttemptViolatesContract_RunFailsWithContractViolated()
    {
        // Arrange
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Graph(badReplies: 2));

        // Act
        var started = await warden.StartAsync("contracted", """{"task":"sort numbers"}""");
        var run = await warden.WaitForEndAsync(started.RunId);

        // Assert
        run.Status.ShouldBe("failed");
        run.ErrorCode.ShouldBe(NodeContract.ViolatedCode);
        run.Error!.ShouldContain("node 'plan' failed: contract 'plan' violated");
        (await warden.EventsAsync(started.RunId)).Count(e => e.Type == "node.failed" && e.NodeId == "plan").ShouldBe(2);
    }

    [Fact]
    public async Task RunSuite_ContractsHold_ReportsTheRetriedViolation()
    {
        // Arrange
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Graph(badReplies: 1));
        var suite = SuiteParser.Parse("""
            name: contracts
            graph: contracted
            cases:
              - name: retried
                input: { task: sort numbers }
                assert:
                  - contracts: hold
                  - contract: plan
                    max_violations: 0
            """);
        var runner = warden.Services.GetRequiredService<SuiteRunner>();

        // Act
        var result = await runner.RunAsync("demo", suite, parallel: 1, filter: null, CancellationToken.None);

        // Assert
        var verdicts = result.Cases.Single().Assertions;
        verdicts[0].Passed.ShouldBeTrue(verdicts[0].Actual);
        verdicts[0].Actual.ShouldContain("held on 2 node(s); 1 attempt(s) failed CONTRACT_VIOLATED: plan#1");
        verdicts[1].Passed.ShouldBeFalse("one attempt broke the contract, more than max_violations allows");
    }
}
