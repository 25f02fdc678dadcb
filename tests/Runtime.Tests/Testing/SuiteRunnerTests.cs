using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Core.Testing;
using Warden.Runtime.Storage;
using Warden.Runtime.Testing;
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
}
