namespace Warden.Core.Testing.Assertions;

/// <summary><c>equals</c>, <c>contains</c> and <c>not_contains</c> on the run's (or a node's) output; ordinal.</summary>
public sealed record TextAssertion(string Kind, string Value, string? Node) : Assertion(Kind, Node)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        var text = Subject(run);
        return Kind switch
        {
            "equals" => Result(text is not null && string.Equals(text.TrimEnd(), Value.TrimEnd(), StringComparison.Ordinal), Show(Value), Show(text)),
            "contains" => Result(text?.Contains(Value, StringComparison.Ordinal) == true, $"contains \"{Value}\"", Show(text)),
            _ => Result(text?.Contains(Value, StringComparison.Ordinal) != true, $"does not contain \"{Value}\"", Show(text)),
        };
    }
}
