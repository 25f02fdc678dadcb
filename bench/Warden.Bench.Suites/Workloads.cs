using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Warden.Bench.Suites;

/// <summary>
/// A graph from examples/ and the N-case suite run against it: each case a different input (so every mock reply
/// differs), the assertions a CI suite would make, a judge among them. <see cref="NoLatency"/> is the same graph with
/// the mock's simulated latency removed, so the suite's own overhead is a larger share of each case.
/// </summary>
public sealed partial record Workload(string Name, string GraphYaml, bool Approve, Func<int, string> Input, string Assertions)
{
    public static Workload ResearchToCode(string repo) => new(
        "research-to-code",
        File.ReadAllText(Path.Combine(repo, "examples", "research-to-code.yaml")),
        Approve: false,
        i => $$"""{"task":"Add a rate limiter to service {{i}}"}""",
        """
              - status: completed
              - order: [researcher, planner, executor, coder, finalizer]
              - max_retries: 1
                node: coder
              - contains: "rate limiter"
              - no_pii: true
              - max_tokens: 20000
              - max_provider_calls: 10
              - judge: { rubric: "summary, complete", node: finalizer }
        """);

    public static Workload OpsCopilot(string repo) => new(
        "ops-copilot (approve)",
        File.ReadAllText(Path.Combine(repo, "examples", "ops-copilot.yaml")),
        Approve: true,
        i => $$"""{"request":"restart the web tier of region {{i}}"}""",
        """
              - approval_requested: true
                node: approve-plan
              - visited: [planner, executor, reviewer]
              - order: [planner, approve-plan, executor]
              - contains: "restart the web tier"
                node: planner
              - max_provider_calls: 20
              - judge: { rubric: "plan with a focus", node: planner }
        """);

    public string GraphId => Regex.Match(GraphYaml, @"(?m)^name:\s*(\S+)").Groups[1].Value;

    public Workload NoLatency => this with { Name = Name + ", no mock latency", GraphYaml = Latency().Replace(GraphYaml, "latency_ms: 0") };

    public string Suite(int cases)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"name: bench-{GraphId}\ngraph: {{ id: {GraphId} }}\ncases:\n");
        for (var i = 0; i < cases; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - name: case {i}\n    seed: {i}\n    input: {Input(i)}\n");
            if (Approve)
            {
                yaml.Append("    approve: true\n");
            }

            yaml.Append("    assert:\n").Append(Assertions.TrimEnd()).Append('\n');
        }

        return yaml.ToString();
    }

    [GeneratedRegex(@"latency_ms:\s*\d+", RegexOptions.CultureInvariant)]
    private static partial Regex Latency();
}
