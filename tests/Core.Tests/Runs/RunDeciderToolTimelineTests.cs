using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Runs;

/// <summary>A tool step's timeline names the tool, its arguments and the policy decision, so suites can assert on them.</summary>
public sealed class RunDeciderToolTimelineTests
{
    private const string Graph = """
        name: tools
        nodes:
          - { id: plan, role: planner, prompt: "plan {{input.task}}" }
          - { id: ticket, kind: tool, tool: jira.create, input: '{"project":"OPS","summary":"{{input.task}}"}' }
        edges: [ "plan -> ticket" ]
        """;

    private static readonly DateTimeOffset T0 = new(2025, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly RunDecider _decider = new(GraphParser.Parse(Graph));

    /// <summary>The run up to the tool step asking its guardrails.</summary>
    private RunState AtTool()
    {
        var start = Admission.AdmitAll(_decider, _decider.Start(new RunStart("run-1", "t", "tools", 1, """{"task":"restart web"}""", 5), At(0)), At(0));
        var done = _decider.Apply(start.State, new NodeSucceeded("plan", 1, 1, "the plan", Usage.Zero, "mock", "mock-1", 5), At(1));
        done.Commands.OfType<AskGuardrails>().ShouldHaveSingleItem().Tool.ShouldBe("jira.create");
        return done.State;
    }

    [Fact]
    public void Apply_ToolAdmitted_StartedEntryNamesToolArgsAndAllowDecision()
    {
        // Act
        var decision = _decider.Apply(AtTool(), new GuardrailAnswered("ticket", 1, 1, AdmissionVerdict.Admitted, [new ProviderChoice("tool", "jira.create", null)], "graph rule 'jira.*': allow"), At(2));

        // Assert
        var started = RunHarness.Timeline(decision.Commands).Single(e => e.Type == "node.started");
        started.Data!["tool"].ShouldBe("jira.create");
        started.Data["args"].ShouldBe("""{"project":"OPS","summary":"restart web"}""");
        started.Data["decision"].ShouldBe("allow");
        started.Data["policy_reason"].ShouldBe("graph rule 'jira.*': allow");
    }

    [Fact]
    public void Apply_ToolDenied_PolicyDeniedEntryNamesToolAndDenyDecision()
    {
        // Act
        var decision = _decider.Apply(AtTool(), new GuardrailAnswered("ticket", 1, 1, AdmissionVerdict.Denied, [], "graph rule 'jira.*': deny"), At(2));

        // Assert
        var denied = RunHarness.Timeline(decision.Commands).Single(e => e.Type == "policy.denied");
        (denied.Data!["tool"], denied.Data["decision"], denied.Data["reason"]).ShouldBe(("jira.create", "deny", "graph rule 'jira.*': deny"));
        RunHarness.Timeline(decision.Commands).ShouldNotContain(e => e.Type == "node.started");
    }

    [Fact]
    public void Apply_ToolNeedsApprovalThenApproved_RequestAndStartSayApproval()
    {
        // Arrange
        var asked = _decider.Apply(AtTool(), new GuardrailAnswered("ticket", 1, 1, AdmissionVerdict.ApprovalRequired, [new ProviderChoice("tool", "jira.create", null)], "no rule matches: default require_approval"), At(2));
        var approvalId = asked.State.Nodes["ticket"].ApprovalId;

        // Act
        var approved = _decider.Apply(asked.State, new SignalReceived(SignalKind.Approve, "alice", approvalId), At(3));

        // Assert
        var request = RunHarness.Timeline(asked.Commands).Single(e => e.Type == "approval.requested");
        (request.Data!["tool"], request.Data["decision"]).ShouldBe(("jira.create", "approval"));
        var started = RunHarness.Timeline(approved.Commands).Single(e => e.Type == "node.started");
        started.Data!["decision"].ShouldBe("approval");
        started.Data.ContainsKey("policy_reason").ShouldBeFalse();
    }

    [Fact]
    public void Apply_AgentStep_StartedEntryHasNoToolKeys()
    {
        // Act
        var start = Admission.AdmitAll(_decider, _decider.Start(new RunStart("run-1", "t", "tools", 1, """{"task":"x"}""", 5), At(0)), At(0));

        // Assert
        var started = RunHarness.Timeline(start.Commands).Single(e => e.Type == "node.started");
        started.Data!.Keys.ShouldBe(["visit", "role", "provider", "model", "providers"], ignoreOrder: true);
    }

    private static RunContext At(int seconds) => new(T0.AddSeconds(seconds));
}
