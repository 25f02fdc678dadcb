using System.Globalization;

namespace Warden.Core.Testing.Assertions;

/// <summary><c>similar_to</c> with <c>threshold</c> (default 0.5): <see cref="TokenSimilarity"/> of output and text ≥ threshold.</summary>
public sealed record SimilarityAssertion(string Text, double Threshold, string? Node) : Assertion("similar_to", Node)
{
    public override AssertionResult Evaluate(RunObservation run)
    {
        var text = Subject(run);
        var score = text is null ? 0d : TokenSimilarity.Score(text, Text);
        return Result(
            score >= Threshold,
            string.Create(CultureInfo.InvariantCulture, $"similarity ≥ {Threshold:0.###} to \"{Show(Text, 60)}\""),
            string.Create(CultureInfo.InvariantCulture, $"{score:0.###}: {Show(text, 100)}"));
    }
}
