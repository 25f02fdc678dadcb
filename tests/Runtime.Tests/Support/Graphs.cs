namespace Warden.Runtime.Tests.Support;

public static class Graphs
{
    public static string Sequential(string name = "seq", int nodes = 3, string mock = "{ latency_ms: 0 }", string retry = "retries: 2") =>
        $"""
        name: {name}
        defaults:
          {retry}
        nodes:
        {string.Join("\n", Enumerable.Range(1, nodes).Select(i => $"  - id: n{i}\n    role: executor\n    prompt: step {i} of {{{{input.task}}}}\n    mock: {mock}"))}
        edges:
        {string.Join("\n", Enumerable.Range(1, nodes - 1).Select(i => $"  - n{i} -> n{i + 1}"))}
        """;

    public const string Gate = """
        name: gated
        nodes:
          - id: plan
            role: planner
            prompt: plan {{input.task}}
          - id: gate
            kind: approval
            message: approve the plan
            deadline: 1h
            on_timeout: fail
          - id: act
            role: executor
            prompt: act on {{nodes.plan.output}}
        edges:
          - plan -> gate
          - gate -> act
        """;
}
