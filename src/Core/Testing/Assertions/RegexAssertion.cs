using System.Text.RegularExpressions;

namespace Warden.Core.Testing.Assertions;

/// <summary>
/// <c>regex</c>: the output matches. The pattern is compiled with <see cref="RegexOptions.NonBacktracking"/>, so
/// matching is linear in the output and no output can hang the runner (backreferences and lookarounds are refused
/// when the suite is parsed).
/// </summary>
public sealed record RegexAssertion(Regex Pattern, string? Node) : Assertion("regex", Node)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        var text = Subject(run);
        return Result(text is not null && Pattern.IsMatch(text), $"matches /{Pattern}/", Show(text));
    }
}
