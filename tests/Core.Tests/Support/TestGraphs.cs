namespace Warden.Core.Tests.Support;

/// <summary>Small graphs for decider tests, by name, so [Theory] rows can refer to them.</summary>
internal static class TestGraphs
{
    public const string Sequential = """
        name: sequential
        defaults:
          retries: 0
        nodes:
          - id: a
            role: planner
            prompt: Plan {{input.task}}
          - id: b
            role: coder
            prompt: Code {{nodes.a.output}}
          - id: c
            role: finalizer
            prompt: Sum up {{upstream}}
        edges:
          - a -> b
          - b -> c
        """;

    /// <summary>a fans out to b and c; d joins them.</summary>
    public const string Diamond = """
        name: diamond
        defaults:
          retries: 0
        nodes:
          - id: a
            role: planner
            prompt: Plan
          - id: b
            role: researcher
            prompt: Branch one
          - id: c
            role: coder
            prompt: Branch two
          - id: d
            role: finalizer
            prompt: Join {{upstream}}
        edges:
          - a -> b
          - a -> c
          - b -> d
          - c -> d
        """;

    /// <summary>The reviewer's verdict either publishes or sends the code back (at most twice).</summary>
    public const string Review = """
        name: review
        defaults:
          retries: 0
        nodes:
          - id: plan
            role: planner
            prompt: Plan
          - id: code
            role: coder
            prompt: Code {{nodes.plan.output}}
          - id: review
            role: reviewer
            prompt: Review {{nodes.code.output}}
          - id: publish
            role: finalizer
            prompt: Publish
        edges:
          - plan -> code
          - code -> review
          - from: review
            to: publish
            when: output.verdict == pass
          - from: review
            to: code
            when: output.verdict == revise
            max_traversals: 2
        """;

    /// <summary>A failure of a is routed to recover; success goes on to b.</summary>
    public const string FailureRoute = """
        name: failure-route
        defaults:
          retries: 0
        nodes:
          - id: a
            role: executor
            prompt: Try it
          - id: b
            role: finalizer
            prompt: Report success
          - id: recover
            role: analyst
            prompt: Work out what went wrong
        edges:
          - a -> b
          - from: a
            to: recover
            when: status == failed
        """;

    /// <summary>a is tried at most three times with 1s, 2s, ... backoff and a 30s timeout.</summary>
    public const string Retry = """
        name: retry
        nodes:
          - id: a
            role: executor
            prompt: Flaky step
            timeout: 30s
            retry:
              max_attempts: 3
              initial_backoff: 1s
              max_backoff: 10s
              multiplier: 2
          - id: b
            role: finalizer
            prompt: Done
            retries: 0
        edges:
          - a -> b
        """;

    /// <summary>A failure loop: when code fails, plan runs again (at most once).</summary>
    public const string FailureLoop = """
        name: failure-loop
        defaults:
          retries: 0
        nodes:
          - id: start
            role: researcher
            prompt: Research
          - id: plan
            role: planner
            prompt: Plan
          - id: code
            role: coder
            prompt: Code
          - id: finish
            role: finalizer
            prompt: Finish
        edges:
          - start -> plan
          - plan -> code
          - code -> finish
          - from: code
            to: plan
            when: status == failed
            max_traversals: 1
        """;

    /// <summary>Two parallel branches can each loop back to y.</summary>
    public const string TwoLoops = """
        name: two-loops
        defaults:
          retries: 0
        nodes:
          - id: s
            role: researcher
            prompt: Start
          - id: y
            role: planner
            prompt: Plan
          - id: x1
            role: coder
            prompt: One
          - id: x2
            role: coder
            prompt: Two
        edges:
          - s -> y
          - y -> x1
          - y -> x2
          - from: x1
            to: y
            max_traversals: 2
          - from: x2
            to: y
            max_traversals: 2
        """;

    public static string Approval(string onTimeout) => $$$"""
        name: approval-{{{onTimeout}}}
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
            on_timeout: {{{onTimeout}}}
          - id: act
            role: executor
            prompt: Act on {{nodes.plan.output}}
        edges:
          - plan -> gate
          - gate -> act
        """;

    public static string Get(string name) => name switch
    {
        "sequential" => Sequential,
        "diamond" => Diamond,
        "review" => Review,
        "failure-route" => FailureRoute,
        "retry" => Retry,
        "failure-loop" => FailureLoop,
        "two-loops" => TwoLoops,
        _ when name.StartsWith("approval-", StringComparison.Ordinal) => Approval(name["approval-".Length..]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test graph"),
    };

    public static IReadOnlyList<string> Names { get; } =
    [
        "sequential", "diamond", "review", "failure-route", "retry", "failure-loop", "two-loops",
        "approval-fail", "approval-escalate", "approval-approve", "approval-reject",
    ];
}
