namespace Warden.Functions.Tests.Engines;

/// <summary>The graphs of the engine scenarios, on the deterministic mock provider unless a case says otherwise.</summary>
internal static class Scenarios
{
    public const string Sequential = """
        name: sequential
        defaults: { retries: 0 }
        nodes:
          - { id: a, role: planner, prompt: "Plan {{input.task}}" }
          - { id: b, role: coder, prompt: "Code {{nodes.a.output}}" }
          - { id: c, role: finalizer, prompt: "Sum up {{upstream}}" }
        edges: [ "a -> b", "b -> c" ]
        """;

    public const string Diamond = """
        name: diamond
        defaults: { retries: 0 }
        nodes:
          - { id: a, role: planner, prompt: Plan }
          - { id: b, role: researcher, prompt: "Branch one", mock: { latency_ms: 150 } }
          - { id: c, role: coder, prompt: "Branch two", mock: { latency_ms: 50 } }
          - { id: d, role: finalizer, prompt: "Join {{upstream}}" }
        edges: [ "a -> b", "a -> c", "b -> d", "c -> d" ]
        """;

    public const string FailureRoute = """
        name: failure-route
        defaults: { retries: 0 }
        nodes:
          - { id: a, role: executor, prompt: "Try it", mock: { fail_first_attempts: 1 } }
          - { id: b, role: finalizer, prompt: "Report success" }
          - { id: recover, role: analyst, prompt: "Work out what went wrong" }
        edges:
          - a -> b
          - { from: a, to: recover, when: status == failed }
        """;

    public const string FailureLoop = """
        name: failure-loop
        defaults: { retries: 0 }
        nodes:
          - { id: start, role: researcher, prompt: Research }
          - { id: plan, role: planner, prompt: Plan }
          - { id: code, role: coder, prompt: Code, mock: { fail_first_attempts: 10 } }
          - { id: finish, role: finalizer, prompt: Finish }
        edges:
          - start -> plan
          - plan -> code
          - code -> finish
          - { from: code, to: plan, when: status == failed, max_traversals: 1 }
        """;

    public const string Fallback = """
        name: fallback
        defaults: { retries: 0 }
        nodes:
          - id: a
            role: executor
            prompt: "Do {{input.task}}"
            providers: [ "openai:gpt-4o-mini", "mock:mock-1" ]
        """;

    public static string Flaky(int failFirst, int maxAttempts) => $$$"""
        name: flaky
        nodes:
          - id: a
            role: executor
            prompt: Flaky step
            retry: { max_attempts: {{{maxAttempts}}}, initial_backoff: 200ms, max_backoff: 1s, multiplier: 2 }
            mock: { fail_first_attempts: {{{failFirst}}} }
          - { id: b, role: finalizer, prompt: Done, retries: 0 }
        edges: [ "a -> b" ]
        """;

    public static string Slow(int latencyMs, string timeout) => $$$"""
        name: slow
        defaults: { retries: 0 }
        nodes:
          - { id: a, role: executor, prompt: "Slow step", timeout: {{{timeout}}}, mock: { latency_ms: {{{latencyMs}}} } }
          - { id: b, role: finalizer, prompt: Done }
        edges: [ "a -> b" ]
        """;

    public static string SlowFirst(int latencyMs) => $$$"""
        name: slow-first
        defaults: { retries: 0 }
        nodes:
          - { id: a, role: executor, prompt: "Slow step", mock: { latency_ms: {{{latencyMs}}} } }
          - { id: b, role: finalizer, prompt: "Sum up {{upstream}}" }
        edges: [ "a -> b" ]
        """;

    public static string Gate(string deadline, string onTimeout) => $$$"""
        name: gate
        defaults: { retries: 0 }
        nodes:
          - { id: plan, role: planner, prompt: Plan }
          - { id: gate, kind: approval, message: "Approve the plan?", deadline: {{{deadline}}}, on_timeout: {{{onTimeout}}} }
          - { id: act, role: executor, prompt: "Act on {{nodes.plan.output}}" }
        edges: [ "plan -> gate", "gate -> act" ]
        """;

    public static string Pricey(string maxCostUsd) => $$$"""
        name: pricey
        budget: { max_cost_usd: {{{maxCostUsd}}} }
        nodes:
          - { id: a, role: researcher, prompt: "research {{input.task}}" }
          - { id: b, role: planner, prompt: "plan {{upstream}}" }
          - { id: c, role: coder, prompt: "code {{upstream}}" }
          - { id: d, role: finalizer, prompt: "sum {{upstream}}" }
        edges: [ "a -> b", "b -> c", "c -> d" ]
        """;

    public static string Chain(int nodes) => $"""
        name: chain
        defaults: {"{"} retries: 0 {"}"}
        nodes:
        {string.Join("\n", Enumerable.Range(1, nodes).Select(i => $"  - {{ id: n{i}, role: executor, prompt: \"step {i}\" }}"))}
        edges:
        {string.Join("\n", Enumerable.Range(1, nodes - 1).Select(i => $"  - n{i} -> n{i + 1}"))}
        """;

    /// <summary>A contracted step whose scripted mock replies break the contract on the first attempts, then the mock's plan holds.</summary>
    public static string Contracted(int badReplies, int maxAttempts) => $$$"""
        name: contracted
        nodes:
          - id: a
            role: planner
            prompt: "Plan {{input.task}}"
            contract: { output_schema: { type: string, pattern: "^Plan for " }, forbidden: ['(?i)as an ai'] }
            retry: { max_attempts: {{{maxAttempts}}}, initial_backoff: 200ms, max_backoff: 1s, multiplier: 2 }
            mock: { replies: [{{{string.Join(", ", Enumerable.Repeat("'As an AI, here is a plan'", badReplies))}}}] }
          - { id: b, role: finalizer, prompt: "Sum up {{upstream}}", retries: 0 }
        edges: [ "a -> b" ]
        """;
}
