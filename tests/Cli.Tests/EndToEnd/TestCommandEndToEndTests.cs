using System.Xml.Linq;
using Shouldly;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>`warden test`, the CI gate, as a user runs it: exit 0 when every assertion holds, 1 on a failure, 2 on a bad suite.</summary>
public sealed class TestCommandEndToEndTests
{
    private static readonly string Repo = FindRepo();

    [Fact]
    public async Task Test_ExampleSuites_ExitZeroAndWriteWellFormedJUnit()
    {
        // Arrange
        var dir = TempDir();
        var junit = Path.Combine(dir, "reports", "junit.xml");
        var json = Path.Combine(dir, "reports", "results.json");

        // Act
        using var test = WardenProcess.Start(null, "test", Path.Combine(Repo, "examples", "suites"), "--junit", junit, "--json", json, "--data-dir", Path.Combine(dir, "data"));
        var exit = await test.WaitForExitAsync(TimeSpan.FromMinutes(4));

        // Assert
        exit.ShouldBe(0, test.Output);
        test.Output.ShouldContain("9/9 cases passed");
        test.Output.ShouldContain("✔ the plan waits for an operator");
        test.Output.ShouldContain("process killed by SIGKILL (exit 137) after step 2, restarted, resumed");
        var xml = XDocument.Load(junit);
        xml.Root!.Name.LocalName.ShouldBe("testsuites");
        xml.Root.Attribute("tests")!.Value.ShouldBe("10"); // nine cases, and the crash case's resumed assertion on its own
        xml.Root.Attribute("failures")!.Value.ShouldBe("0");
        xml.Root.Elements("testsuite").Select(s => s.Attribute("name")!.Value).ShouldBe(["ops-copilot", "release-gate", "research-to-code-chaos", "research-to-code replay", "research-to-code"]);
        xml.Descendants("testcase").Count().ShouldBe(10);
        xml.Descendants("testcase").ShouldContain(t => t.Attribute("name")!.Value == "killed after two steps, the run resumes / resumed");
        xml.Descendants("failure").ShouldBeEmpty();
        (await File.ReadAllTextAsync(json)).ShouldContain("\"passed\": true");
    }

    [Fact]
    public async Task Test_FailingAssertion_ExitsOneNamingExpectedAndActual()
    {
        // Arrange
        var dir = TempDir();
        var suite = Path.Combine(dir, "failing.yaml");
        await File.WriteAllTextAsync(suite, $$"""
            name: failing
            graph: { file: {{Path.Combine(Repo, "examples", "research-to-code.yaml")}} }
            cases:
              - name: wrong expectations
                seed: 3
                input: { task: "Write a haiku generator" }
                assert:
                  - status: completed
                  - visits: 2
                    node: planner
                  - contains: "quantum teleportation"
              - name: filtered out
                input: { task: "x" }
                assert:
                  - status: failed
            """);
        var junit = Path.Combine(dir, "junit.xml");

        // Act
        using var test = WardenProcess.Start(null, "test", suite, "--filter", "wrong", "--junit", junit, "--data-dir", Path.Combine(dir, "data"));
        var exit = await test.WaitForExitAsync(TimeSpan.FromMinutes(3));

        // Assert
        exit.ShouldBe(1, test.Output);
        test.Output.ShouldContain("1/1 cases failed, 2 of 3 assertions failed");
        test.Output.ShouldContain("visits [planner]");
        test.Output.ShouldContain("2 completed visit(s)");
        test.Output.ShouldContain("FAIL failing / wrong expectations: contains (line 11): expected contains \"quantum teleportation\", actual");
        test.Output.ShouldNotContain("filtered out");
        var failures = XDocument.Load(junit).Descendants("failure").ToList();
        failures.Count.ShouldBe(2);
        failures[0].Attribute("message")!.Value.ShouldBe("visits [planner] (line 9): expected 2 completed visit(s), actual 1");
    }

    [Fact]
    public async Task Test_BadSuite_ExitsTwoWithLineAndColumn()
    {
        // Arrange
        var dir = TempDir();
        var suite = Path.Combine(dir, "bad.yaml");
        await File.WriteAllTextAsync(suite, "name: bad\ngraph: research-to-code\ncases:\n  - name: c\n    assert:\n      - status: completed\n      - containz: plan\n");

        // Act
        using var test = WardenProcess.Start(null, "test", suite, "--data-dir", Path.Combine(dir, "data"));
        var exit = await test.WaitForExitAsync(TimeSpan.FromMinutes(1));

        // Assert
        exit.ShouldBe(2, test.Output);
        test.Output.ShouldContain("$.cases[0].assert[1].containz (line 7, column 9): unknown assertion kind 'containz'");
    }

    [Fact]
    public async Task Test_AssertionOnNodeNotInGraph_ExitsTwoWithLine()
    {
        // Arrange
        var dir = TempDir();
        var suite = Path.Combine(dir, "typo.yaml");
        await File.WriteAllTextAsync(suite, $"name: typo\ngraph: {{ file: {Path.Combine(Repo, "examples", "research-to-code.yaml")} }}\ncases:\n  - name: c\n    assert:\n      - contains: x\n        node: codr\n");

        // Act
        using var test = WardenProcess.Start(null, "test", suite, "--data-dir", Path.Combine(dir, "data"));
        var exit = await test.WaitForExitAsync(TimeSpan.FromMinutes(1));

        // Assert
        exit.ShouldBe(2, test.Output);
        test.Output.ShouldContain("(line 6, column 1): node 'codr' is not in graph 'research-to-code'");
    }

    [Fact]
    public async Task Test_AgainstServer_UploadsGraphAndPasses()
    {
        // Arrange
        var dir = TempDir();
        using var server = await WardenServer.StartAsync(Path.Combine(dir, "server"));

        // Act
        using var test = WardenProcess.Start(null, "test", Path.Combine(Repo, "examples", "suites", "ops-copilot.suite.yaml"), "--server", server.Http.BaseAddress!.ToString(), "--api-key", WardenServer.Key, "--parallel", "1");
        var exit = await test.WaitForExitAsync(TimeSpan.FromMinutes(3));

        // Assert
        exit.ShouldBe(0, test.Output);
        test.Output.ShouldContain("3/3 cases passed");
        var runs = await server.Http.GetStringAsync("api/v1/runs?graph_id=ops-copilot");
        runs.ShouldContain("\"completed\"");
    }

    [Theory]
    [InlineData("max_output_tokens: 400\nforbidden: ['(?i)as an ai']\n", 0, "1/1 cases passed")]
    [InlineData("max_output_tokens: 5\n", 1, "CONTRACT_VIOLATED: plan#1")]
    public async Task Test_ContractFromFile_GuardsTheRunAndGatesTheSuite(string contract, int expectedExit, string expectedOutput)
    {
        // Arrange: the graph names a contract file; the suite asserts it without restating it.
        var dir = TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "contracts"));
        await File.WriteAllTextAsync(Path.Combine(dir, "contracts", "plan.yaml"), contract);
        await File.WriteAllTextAsync(Path.Combine(dir, "graph.yaml"), """
            name: contracted
            nodes:
              - id: plan
                role: planner
                prompt: "{{input.task}}"
                contract: ./contracts/plan.yaml
                retry: { max_attempts: 2, initial_backoff: 10ms, max_backoff: 20ms }
              - { id: sum, role: finalizer, prompt: "{{upstream}}" }
            edges: [plan -> sum]
            """);
        await File.WriteAllTextAsync(Path.Combine(dir, "suite.yaml"), """
            name: contracted
            graph: { file: graph.yaml }
            cases:
              - name: plan holds
                input: { task: "Sort a list of numbers" }
                assert:
                  - contract: plan
            """);

        // Act
        using var test = WardenProcess.Start(null, "test", Path.Combine(dir, "suite.yaml"), "--data-dir", Path.Combine(dir, "data"));
        var exit = await test.WaitForExitAsync(TimeSpan.FromMinutes(2));

        // Assert
        exit.ShouldBe(expectedExit, test.Output);
        test.Output.ShouldContain(expectedOutput);
    }

    [Fact]
    public async Task Test_MissingContractFile_ExitsTwoNamingIt()
    {
        // Arrange
        var dir = TempDir();
        await File.WriteAllTextAsync(Path.Combine(dir, "graph.yaml"), "name: g\nnodes:\n  - { id: a, role: planner, prompt: p, contract: ./contracts/nope.yaml }\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "suite.yaml"), "name: s\ngraph: { file: graph.yaml }\ncases:\n  - name: c\n    assert:\n      - status: completed\n");

        // Act
        using var test = WardenProcess.Start(null, "test", Path.Combine(dir, "suite.yaml"), "--data-dir", Path.Combine(dir, "data"));
        var exit = await test.WaitForExitAsync(TimeSpan.FromMinutes(1));

        // Assert
        exit.ShouldBe(2, test.Output);
        test.Output.ShouldContain("cannot read contract file './contracts/nope.yaml'");
    }

    [Fact]
    public async Task Test_ToolPolicyAndJudgeAssertionsAgainstServer_GradesThroughTheApiAndReportsFailures()
    {
        // Arrange
        var dir = TempDir();
        await using var tool = await FakeTool.StartAsync("""{"key":"OPS-42"}""");
        using var server = await WardenServer.StartAsync(Path.Combine(dir, "server"));
        foreach (var (name, actionClass) in new[] { ("jira.create", "read"), ("github.merge", "write") })
        {
            var body = $"{{\"name\":\"{name}\",\"action_class\":\"{actionClass}\",\"endpoint\":\"{tool.Url}\"}}";
            (await server.Http.PostAsync("/api/v1/tools", new StringContent(body, System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        }

        var graph = Path.Combine(dir, "ticketing.yaml");
        await File.WriteAllTextAsync(graph, """
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
        var suite = Path.Combine(dir, "ticketing.suite.yaml");
        await File.WriteAllTextAsync(suite, """
            name: ticketing
            graph: { file: ticketing.yaml }
            cases:
              - name: files the ticket
                input: { task: "restart the web tier" }
                assert:
                  - tool_called: { tool: jira.create, args: { project: OPS } }
                  - tool_not_called: "github.*"
                  - policy: { tool: github.merge, decision: deny }
                  - judge: { rubric: "summary of the restart", node: report }
                  - judge: { rubric: "rollback plan", node: report }
            """);

        // Act
        using var test = WardenProcess.Start(null, "test", suite, "--server", server.Http.BaseAddress!.ToString(), "--api-key", WardenServer.Key);
        var exit = await test.WaitForExitAsync(TimeSpan.FromMinutes(3));

        // Assert
        exit.ShouldBe(1, test.Output);
        test.Output.ShouldContain("1/1 cases failed, 1 of 5 assertions failed");
        test.Output.ShouldContain("FAIL ticketing / files the ticket: judge [report] (line 11): expected score ≥ 0.7 for \"rollback plan\", actual 0.5 by mock/mock-1");
        test.Output.ShouldContain("missing: rollback");
        tool.Bodies.ShouldHaveSingleItem().ShouldContain("OPS");
        (await server.Http.GetStringAsync("/api/v1/usage?group_by=graph")).ShouldContain("evals.judge");
    }

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepo()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(repo.FullName, "Functions.sln")))
        {
            repo = repo.Parent!;
        }

        return repo.FullName;
    }
}
