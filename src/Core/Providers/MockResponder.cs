using System.Text;
using Warden.Core.Graphs;
using Warden.Core.Runs;

namespace Warden.Core.Providers;

/// <summary>A reply from the mock model, with token counts sized like a real model's.</summary>
public sealed record MockReply(string Text, int InputTokens, int OutputTokens);

/// <summary>
/// The mock model: its reply is a function of (seed, node, prompt) alone, shaped by the agent's role so
/// downstream steps and edge conditions see realistic text (a planner numbers its steps, a coder returns a
/// code block, a reviewer states a verdict).
/// </summary>
public static class MockResponder
{
    private static readonly string[] Angles = ["reliability", "cost", "latency", "security", "operability", "data quality"];
    private static readonly string[] Languages = ["python", "csharp", "typescript"];

    public static MockReply Respond(long seed, string nodeId, string role, string prompt)
    {
        if (role == Testing.Judge.JudgePrompt.Role)
        {
            // A judge prompt gets a grade that is a function of rubric and output alone (see MockJudge).
            var grade = Testing.Judge.MockJudge.Reply(prompt);
            return new MockReply(grade, EstimateTokens(prompt) + 24, EstimateTokens(grade));
        }

        var h = StableHash.Of(seed, nodeId, prompt);
        var subject = Subject(prompt);
        var text = role switch
        {
            AgentRoles.Researcher => Research(subject, h),
            AgentRoles.Planner => Plan(subject, h),
            AgentRoles.Executor => Execute(subject, h),
            AgentRoles.Coder => Code(subject, h),
            AgentRoles.Reviewer => Review(subject, h),
            AgentRoles.Finalizer => Finalize(subject, h),
            _ => $"{Capitalize(role)} notes on {subject}: the main concern is {Pick(Angles, h)}, followed by {Pick(Angles, h >> 8)}.",
        };
        return new MockReply(text, EstimateTokens(prompt) + 24, EstimateTokens(text));
    }

    /// <summary>Roughly four characters a token, as for English text with GPT-style tokenizers.</summary>
    public static int EstimateTokens(string text) => Math.Max(1, (text.Length + 3) / 4);

    private static string Subject(string prompt)
    {
        var line = prompt.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "the task";
        return line.Length <= 80 ? line.TrimEnd('.', ':') : string.Concat(line.AsSpan(0, 77), "...");
    }

    private static string Research(string subject, ulong h)
    {
        var sb = new StringBuilder();
        sb.Append("Findings on ").Append(subject).Append(":\n");
        for (var i = 0; i < 3; i++)
        {
            sb.Append("- ").Append(Capitalize(Pick(Angles, h >> (i * 5)))).Append(" drives most of the design trade-offs [").Append(i + 1).Append("]\n");
        }

        sb.Append("Sources:\n");
        for (var i = 0; i < 3; i++)
        {
            sb.Append('[').Append(i + 1).Append("] internal-kb/doc-").Append((h >> (i * 7)) % 900 + 100).Append('\n');
        }

        return sb.ToString().TrimEnd();
    }

    private static string Plan(string subject, ulong h)
    {
        var steps = 3 + (int)(h % 3);
        var sb = new StringBuilder("Plan for ").Append(subject).Append(":\n");
        string[] verbs = ["Clarify the requirements", "Design the data model", "Implement the core path", "Add tests for edge cases", "Measure and tune", "Document the result"];
        for (var i = 0; i < steps; i++)
        {
            sb.Append(i + 1).Append(". ").Append(verbs[i]).Append(" with a focus on ").Append(Pick(Angles, h >> (i * 3))).Append('\n');
        }

        return sb.ToString().TrimEnd();
    }

    private static string Execute(string subject, ulong h) =>
        $"Execution notes for {subject}:\n- Step results recorded; {1 + (h % 4)} actions taken\n- Risk: {Pick(Angles, h >> 4)} needs monitoring\nSTATUS: done";

    private static string Code(string subject, ulong h)
    {
        var language = Pick(Languages, h);
        var body = language switch
        {
            "python" => "def solve(data):\n    \"\"\"Generated for the plan.\"\"\"\n    return sorted(set(data))\n",
            "csharp" => "public static IReadOnlyList<int> Solve(IEnumerable<int> data) =>\n    data.Distinct().Order().ToList();\n",
            _ => "export function solve(data: number[]): number[] {\n  return [...new Set(data)].sort((a, b) => a - b);\n}\n",
        };
        return $"Implementation for {subject}:\n```{language}\n{body}```";
    }

    private static string Review(string subject, ulong h)
    {
        var verdict = (h % 10) < 8 ? "pass" : "revise";
        return $"VERDICT: {verdict}\nReview of {subject}: claims cite their sources; {Pick(Angles, h >> 6)} is handled" +
            (verdict == "pass" ? "." : ", but the plan skips a rollback step.");
    }

    private static string Finalize(string subject, ulong h) =>
        $"Summary: {subject} is complete. The work covered {Pick(Angles, h)} and {Pick(Angles, h >> 9)}; " +
        "see the plan and implementation above for details.";

    private static string Pick(string[] options, ulong h) => options[(int)(h % (ulong)options.Length)];

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
