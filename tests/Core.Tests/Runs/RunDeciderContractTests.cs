using Shouldly;
using Warden.Core.Contracts;
using Warden.Core.Runs;
using Warden.Core.Serialization;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Runs;

/// <summary>How a contract reaches the executor and how a CONTRACT_VIOLATED attempt is retried and logged.</summary>
public class RunDeciderContractTests
{
    private const string Graph = """
        name: contracted
        contracts:
          plan: { output_schema: { type: string, pattern: "^Plan" } }
        nodes:
          - { id: a, role: planner, prompt: "Plan {{input.task}}", contract: plan, retries: 1, timeout: 30s }
          - id: b
            role: coder
            prompt: "{{upstream}}"
            contract: { input_schema: { type: string, pattern: "^Plan" } }
        edges: [a -> b]
        """;

    private static NodeFailed Violated(RunHarness run, string id) =>
        new(id, run.Node(id).Visit, run.Node(id).Attempt, "contract 'plan' violated: output_schema: expected valid against its schema, got /: pattern", true, ErrorCode: NodeContract.ViolatedCode);

    [Fact]
    public void Start_NodeWithContract_InvocationCarriesItAndItsInput()
    {
        // Act
        var run = new RunHarness(Graph);

        // Assert
        var first = run.History.OfType<ExecuteNode>().Single().Invocation;
        first.Contract!.Name.ShouldBe("plan");
        first.ContractInput.ShouldBeNull("a contract without an input schema needs no input");
        var second = run.DoAll("ok:a:Plan: 1. sort").History.OfType<ExecuteNode>().Last().Invocation;
        second.NodeId.ShouldBe("b");
        second.ContractInput.ShouldBe("\"Plan: 1. sort\"");
        WardenJson.Deserialize<NodeInvocation>(WardenJson.Serialize(second)).Contract.ShouldBe(second.Contract);
    }

    [Fact]
    public void Apply_ContractViolatedWithAttemptsLeft_LogsCodeAndRetries()
    {
        // Arrange
        var run = new RunHarness(Graph);

        // Act
        var decision = run.Apply(Violated(run, "a"));

        // Assert
        var failed = RunHarness.Timeline(decision.Commands).ShouldHaveSingleItem();
        failed.Type.ShouldBe("node.failed");
        failed.Data!["error_code"].ShouldBe(NodeContract.ViolatedCode);
        failed.Data["will_retry"].ShouldBe("true");
        failed.Data["error"].ShouldContain("output_schema");
        decision.Commands.OfType<StartTimer>().Single().Tag.ShouldBe("retry:a:1:2");
        run.Node("a").Status.ShouldBe(NodeStatus.WaitingRetry);
    }

    [Fact]
    public void Apply_RetryAfterViolationSucceeds_CompletesWithoutTheCode()
    {
        // Arrange
        var run = new RunHarness(Graph);
        run.Apply(Violated(run, "a"));

        // Act
        run.DoAll("retrytimer:a", "ok:a:Plan: fine", "ok:b:done");

        // Assert
        run.State.Status.ShouldBe(RunStatus.Completed);
        run.State.ErrorCode.ShouldBeNull();
        run.Node("a").ErrorCode.ShouldBeNull();
    }

    [Fact]
    public void Apply_EveryAttemptViolates_FailsTheRunWithContractViolated()
    {
        // Arrange
        var run = new RunHarness(Graph);
        run.Apply(Violated(run, "a"));
        run.DoAll("retrytimer:a");

        // Act
        var decision = run.Apply(Violated(run, "a"));

        // Assert
        run.State.Status.ShouldBe(RunStatus.Failed);
        run.State.ErrorCode.ShouldBe(NodeContract.ViolatedCode);
        var timeline = RunHarness.Timeline(decision.Commands);
        timeline.Single(e => e.Type == "node.failed").Data!["error_code"].ShouldBe(NodeContract.ViolatedCode);
        timeline.ShouldNotContain(e => e.Type == "governance.blocked");
    }

    [Fact]
    public void Apply_PlainFailureAfterViolation_DoesNotKeepTheCode()
    {
        // Arrange
        var run = new RunHarness(Graph);
        run.Apply(Violated(run, "a"));
        run.DoAll("retrytimer:a");

        // Act
        var decision = run.Do("fatal:a");

        // Assert
        run.State.Status.ShouldBe(RunStatus.Failed);
        run.State.ErrorCode.ShouldBeNull();
        RunHarness.Timeline(decision.Commands).Single(e => e.Type == "node.failed").Data!.ContainsKey("error_code").ShouldBeFalse();
    }
}
