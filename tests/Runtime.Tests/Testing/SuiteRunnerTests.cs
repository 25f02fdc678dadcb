using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Core.Testing;
using Warden.Runtime.Storage;
using Warden.Runtime.Testing;
using Warden.Runtime.Tests.Providers;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Testing;

/// <summary>The suite runner on the real embedded engine: every case is an ordinary, durable run.</summary>
public sealed class SuiteRunnerTests
{
    [Fact]
    public async Task RunAsync_PassingAndFailingCases_EvaluatesEachAgainstItsRun()
    {
        // Arrange
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Sequential(name: "suite-seq", nodes: 3));
        var suite = SuiteParser.Parse("""
            name: seq
            graph: { id: suite-seq }
            cases:
              - name: passes
                input: { task: apples }
                assert:
                  - status: completed
                  - order: [n1, n2, n3]
                  - contains: apples
                    node: n1
                  - max_provider_calls: 3
              - name: fails
                input: { task: pears }
                assert:
                  - status: completed
                  - visited: n4
                  - max_tokens: 1
            """);
        var runner = warden.Services.GetRequiredService<SuiteRunner>();

        // Act
        var result = await runner.RunAsync("demo", suite, parallel: 2, filter: null, CancellationToken.None);

        // Assert
        result.Cases.Select(c => c.Passed).ShouldBe([true, false]);
        result.Cases[0].Assertions.ShouldAllBe(a => a.Passed);
        result.Cases[1].Failures.Select(f => f.Assertion).ShouldBe(["visited", "max_tokens"]);
        result.Cases[1].Failures.First().Actual.ShouldContain("not visited: n4");
        (await warden.Runs.GetAsync("demo", result.Cases[0].RunId!))!.Status.ShouldBe("completed");
    }

    [Theory]
    [InlineData("true", "completed", "approval_requested: true")]
    [InlineData("reject", "failed", "not_visited: act")]
    [InlineData("false", "waiting", "not_visited: act")]
    public async Task RunAsync_ApprovalGate_AnsweredAsTheCaseAsks(string approve, string status, string assertion)
    {
        // Arrange
        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Support.Graphs.Gate);
        var suite = SuiteParser.Parse($$"""
            name: gate
            graph: gated
            cases:
              - name: c
                approve: {{approve}}
                input: { task: deploy }
                assert:
                  - status: {{status}}
                  - {{assertion}}
            """);
        var runner = warden.Services.GetRequiredService<SuiteRunner>();

        // Act
        var result = await runner.RunAsync("demo", suite, parallel: 1, filter: null, CancellationToken.None);

        // Assert
        var c = result.Cases.Single();
        c.Status.ShouldBe(status);
        c.Passed.ShouldBeTrue(string.Join("; ", c.Failures.Select(f => $"{f.Assertion}: expected {f.Expected}, actual {f.Actual}")));
    }

    [Fact]
    public async Task RunAsync_GraphMissing_CaseErrorsWithReason()
    {
        // Arrange
        await using var warden = await TestWarden.StartAsync();
        var suite = SuiteParser.Parse("name: s\ngraph: nope\ncases:\n  - name: c\n    assert: [{status: completed}]\n");
        var runner = warden.Services.GetRequiredService<SuiteRunner>();

        // Act
        var result = await runner.RunAsync("demo", suite, parallel: 1, filter: null, CancellationToken.None);

        // Assert
        result.Passed.ShouldBeFalse();
        result.Cases.Single().Error.ShouldNotBeNull().ShouldContain("nope");
    }

    [Fact]
    public async Task Restart_SuiteRunLeftRunning_EndsAsErrorNamingTheInterruption()
    {
        // Arrange
        var dir = TestWarden.NewDataDirectory();
        await using (var first = await TestWarden.StartAsync(dir))
        {
            await first.Services.GetRequiredService<ISuiteStore>().CreateRunAsync("demo", new SuiteRunRecord
            {
                Id = "srun_left",
                SuiteId = "s",
                SuiteVersion = 1,
                Status = "running",
                CreatedAt = "2026-01-01T00:00:00.0000000+00:00",
                UpdatedAt = "2026-01-01T00:00:00.0000000+00:00",
            });
        }

        // Act
        await using var second = await TestWarden.StartAsync(dir);
        var run = await second.Services.GetRequiredService<ISuiteStore>().GetRunAsync("demo", "srun_left");

        // Assert
        run.ShouldNotBeNull().Status.ShouldBe("error");
        run.Result!.ShouldContain("interrupted");
        run.EndedAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task RunAsync_ToolPolicyAndJudgeAssertions_ReadTimelineAndGradeOnMock()
    {
        // Arrange
        await using var tool = await FakeProviderServer.StartAsync();
        tool.Reply = ctx => FakeProviderServer.Respond(ctx, 200, """{"key":"OPS-42"}""");
        await using var warden = await TestWarden.StartAsync();
        var now = DateTimeOffset.UtcNow.ToString("O");
        foreach (var (name, actionClass) in new[] { ("jira.create", "read"), ("github.merge", "write") })
        {
            await warden.Catalog.SaveToolAsync("demo", new ToolRecord { Name = name, ActionClass = actionClass, Endpoint = tool.BaseUrl + name, CreatedAt = now, UpdatedAt = now }, create: true);
        }

        await warden.UploadAsync("""
            name: ticketing
            tool_policies:
              - { tool: "github.*", decision: deny }
            nodes:
              - { id: plan, role: planner, prompt: "{{input.task}}" }
              - { id: ticket, kind: tool, tool: jira.create, input: '{"project":"OPS","summary":"{{input.task}}"}' }
              - { id: report, role: finalizer, prompt: "{{input.task}} {{nodes.ticket.output}}" }
              - { id: merge, kind: tool, tool: github.merge, input: "{{nodes.report.output}}" }
            edges: [ "plan -> ticket", "ticket -> report", "report -> merge" ]
            """);
        var suite = SuiteParser.Parse("""
            name: ticketing
            graph: { id: ticketing }
            cases:
              - name: files the ticket, never merges
                input: { task: "restart the web tier" }
                assert:
                  - status: failed
                  - tool_called: { tool: jira.create, args: { project: OPS, summary: "restart the web tier" } }
                  - tool_not_called: { tool: jira.create, args: { project: DEV } }
                  - tool_not_called: "github.*"
                  - policy: { tool: jira.create, decision: allow }
                  - policy: { tool: github.merge, decision: deny }
                  - judge: { rubric: "summary of the restart", node: report }
                  - judge: { rubric: "rollback", node: report, min_score: 0.5 }
            """);
        var runner = warden.Services.GetRequiredService<SuiteRunner>();

        // Act
        var result = await runner.RunAsync("demo", suite, parallel: 1, filter: null, CancellationToken.None);

        // Assert
        var verdicts = result.Cases.Single().Assertions;
        verdicts.Select(a => a.Passed).ShouldBe([true, true, true, true, true, true, true, false], string.Join("\n", verdicts.Select(a => $"{a.Assertion}: {a.Actual}")));
        verdicts[1].Actual.ShouldContain("ticket: jira.create");
        verdicts[6].Actual.ShouldContain("1 by mock/mock-1");
        verdicts[7].Actual.ShouldContain("missing: rollback");
        tool.Received.ShouldHaveSingleItem().Path.ShouldBe("/jira.create");
    }
}
