namespace Warden.Core.Testing.Assertions;

/// <summary>
/// One check on a finished run. <see cref="Kind"/> is the YAML key that introduced it; <see cref="Node"/>, when
/// set, narrows it to one node (its output, visits, retries ...). Evaluation is pure: a function of the run.
/// </summary>
public abstract record Assertion(string Kind, string? Node)
{
    /// <summary>Where the assertion is in the suite (1-based; 0 when built in code).</summary>
    public int Line { get; init; }

    public string Label => Node is null ? Kind : $"{Kind} [{Node}]";

    public abstract AssertionResult Evaluate(RunObservation run);

    protected AssertionResult Result(bool passed, string expected, string actual) => new(Label, passed, expected, actual, Line);

    /// <summary>The text an output assertion reads: the node's last output, or the run's output.</summary>
    protected string? Subject(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Node is null ? run.Output : run.NodeOutputs.GetValueOrDefault(Node);
    }

    protected static string Show(string? text, int max = 160) =>
        text is null ? "(no output)" : text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
}

/// <summary>The verdict on one assertion: what was expected and what the run did.</summary>
public sealed record AssertionResult(string Assertion, bool Passed, string Expected, string Actual, int Line = 0);
