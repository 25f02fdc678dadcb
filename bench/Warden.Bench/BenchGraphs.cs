namespace Warden.Bench;

/// <summary>The graphs the harness uploads: mock provider, no simulated latency, short prompts.</summary>
public static class BenchGraphs
{
    public const string PipelineId = "bench-pipeline";

    public const string GateId = "bench-gate";

    /// <summary>Five agent nodes in sequence: five hops per run.</summary>
    public const string Pipeline = """
        name: bench-pipeline
        description: Five agents in sequence on the mock provider with no simulated latency.
        defaults:
          provider: mock
          model: mock-1
        nodes:
          - id: researcher
            role: researcher
            prompt: "Research {{input.task}}."
          - id: planner
            role: planner
            prompt: "Plan {{input.task}}. {{nodes.researcher.output}}"
          - id: executor
            role: executor
            prompt: "Prepare {{input.task}}. {{nodes.planner.output}}"
          - id: coder
            role: coder
            prompt: "Write code for {{input.task}}. {{nodes.executor.output}}"
          - id: finalizer
            role: finalizer
            prompt: "Summarise {{input.task}}. {{nodes.coder.output}}"
        edges:
          - researcher -> planner
          - planner -> executor
          - executor -> coder
          - coder -> finalizer
        """;

    /// <summary>An approval gate first (no deadline, so no timer), then one agent: runs park at the gate.</summary>
    public const string Gate = """
        name: bench-gate
        description: Runs wait at an approval gate before one agent node.
        defaults:
          provider: mock
          model: mock-1
        nodes:
          - id: gate
            kind: approval
            message: Approve this run.
          - id: finalizer
            role: finalizer
            prompt: "Summarise {{input.task}}."
        edges:
          - gate -> finalizer
        """;

    public const string Input = """{"task":"a CSV to JSON converter"}""";
}
