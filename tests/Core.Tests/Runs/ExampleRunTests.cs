using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Providers;
using Warden.Core.Runs;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Runs;

/// <summary>The example graphs run end to end against the mock model.</summary>
public class ExampleRunTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Answers every ExecuteNode with the mock model and approves every approval, until the run ends.</summary>
    private static (RunState State, List<RunCommand> Commands) Drive(string yaml, long seed, string input)
    {
        var decider = new RunDecider(GraphParser.Parse(yaml));
        var now = T0;
        var decision = Admission.AdmitAll(decider, decider.Start(new RunStart("run-ex", "t", "g", 1, input, seed), new RunContext(now)), new RunContext(now));
        var all = new List<RunCommand>(decision.Commands);
        var pending = new Queue<RunCommand>(decision.Commands);
        while (pending.Count > 0 && !decision.State.Status.IsTerminal())
        {
            RunEvent? evt = pending.Dequeue() switch
            {
                ExecuteNode { Invocation: var inv } => Reply(inv),
                RequestApproval a => new SignalReceived(SignalKind.Approve, "operator", a.ApprovalId),
                _ => null,
            };
            if (evt is null)
            {
                continue;
            }

            now += TimeSpan.FromSeconds(1);
            decision = Admission.AdmitAll(decider, decider.Apply(decision.State, evt, new RunContext(now)), new RunContext(now));
            decision.Rejected.ShouldBeFalse();
            all.AddRange(decision.Commands);
            foreach (var command in decision.Commands)
            {
                pending.Enqueue(command);
            }
        }

        return (decision.State, all);
    }

    private static NodeSucceeded Reply(NodeInvocation inv)
    {
        var reply = MockResponder.Respond(inv.Seed, inv.NodeId, inv.Role, inv.Prompt);
        var usage = PriceTable.Default.Price(inv.Model, reply.InputTokens, reply.OutputTokens);
        return new NodeSucceeded(inv.NodeId, inv.Visit, inv.Attempt, reply.Text, usage, inv.Provider, inv.Model, 10);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Drive_ResearchToCode_CompletesWithFinalizerSummary(long seed)
    {
        // Act
        var (state, commands) = Drive(RepoFiles.Read("examples/research-to-code.yaml"), seed, """{"task":"dedupe a list"}""");

        // Assert
        state.Status.ShouldBe(RunStatus.Completed);
        state.Output.ShouldNotBeNull().ShouldStartWith("Summary: dedupe a list is complete.");
        commands.OfType<ExecuteNode>().Select(c => c.Invocation.NodeId).ShouldBe(["researcher", "planner", "executor", "coder", "finalizer"]);
        state.Nodes["coder"].Output.ShouldNotBeNull().ShouldContain("```");
        state.Usage.InputTokens.ShouldBe(state.Nodes.Values.Sum(n => n.Usage.InputTokens));
        state.Usage.CostUsd.ShouldBeGreaterThan(0m);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Drive_OpsCopilot_EndsByReportOrExhaustedRevisions(long seed)
    {
        // Act
        var (state, commands) = Drive(RepoFiles.Read("examples/ops-copilot.yaml"), seed, """{"request":"rotate the TLS certificates"}""");

        // Assert
        state.Status.ShouldBe(RunStatus.Completed);
        commands.OfType<RequestApproval>().Count().ShouldBe(1);
        var reviews = commands.OfType<ExecuteNode>().Count(c => c.Invocation.NodeId == "reviewer");
        reviews.ShouldBeInRange(1, 3);
        if (state.Nodes["report"].Status == NodeStatus.Succeeded)
        {
            EdgeCondition.ExtractField(state.Nodes["reviewer"].Output, "verdict").ShouldBe("pass");
            state.Output.ShouldBe(state.Nodes["report"].Output);
        }
        else
        {
            state.LoopTraversals["reviewer->executor"].ShouldBe(2);
            state.Nodes["report"].Status.ShouldBe(NodeStatus.Skipped);
        }
    }
}
