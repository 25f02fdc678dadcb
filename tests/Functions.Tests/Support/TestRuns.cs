using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Functions.Runs;
using Warden.Runtime.Guardrails;

namespace Warden.Functions.Tests.Support;

public static class TestRuns
{
    public const string RunId = "run_test";
    public const string Tenant = "demo";

    public const string Sequential = """
        name: seq
        defaults:
          retries: 2
        nodes:
          - id: n1
            role: executor
            prompt: first {{input.task}}
          - id: n2
            role: executor
            prompt: second {{nodes.n1.output}}
        edges:
          - n1 -> n2
        """;

    public const string Gated = """
        name: gated
        defaults:
          retries: 0
        nodes:
          - id: plan
            role: planner
            prompt: Plan
          - id: gate
            kind: approval
            message: Approve the plan?
            deadline: 1h
            on_timeout: fail
          - id: act
            role: executor
            prompt: Act on {{nodes.plan.output}}
        edges:
          - plan -> gate
          - gate -> act
        """;

    public const string Budgeted = """
        name: budgeted
        budget:
          max_cost_usd: 1
        nodes:
          - id: n1
            role: executor
            prompt: only step
        """;

    public static RunGraphInput Input(string graph, int decisionsPerExecution = RunGraph.DefaultDecisionsPerExecution, GuardrailOptions? options = null)
    {
        var definition = GraphParser.Parse(graph);
        var policy = AdmissionPolicy.For(definition, options ?? new GuardrailOptions(), PriceTable.Default, c => [c]);
        return new RunGraphInput(new RunStart(RunId, Tenant, definition.Name, 1, """{"task":"ship it"}""", 42), graph, policy, decisionsPerExecution);
    }

    public static NodeSucceeded Succeeded(NodeInvocation inv, string output = "done") =>
        new(inv.NodeId, inv.Visit, inv.Attempt, output, new Usage(10, 5, 0.001m), inv.Provider, inv.Model, 12,
            [new ProviderCall(inv.Provider, inv.Model, null, true, false, null, 12, new Usage(10, 5, 0.001m))]);

    public static NodeFailed Failed(NodeInvocation inv, bool retryable = true) =>
        new(inv.NodeId, inv.Visit, inv.Attempt, "provider unavailable", retryable, Usage.Zero,
            [new ProviderCall(inv.Provider, inv.Model, null, false, retryable, "503", 3, Usage.Zero)]);
}
