using System.Diagnostics;
using System.Text;
using Shouldly;
using Warden.Core.Governance.Injection;
using Warden.Core.Governance.Pii;
using Xunit;

namespace Warden.Core.Tests.Governance;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "timing";
}

/// <summary>
/// Detection must stay linear whatever the text: Core has no clock, so a regex timeout is not an option. Each input
/// here is ~200,000 characters shaped to hurt a backtracking matcher or a naive scanner (long runs that almost
/// match, openers that never close, separators that chain digit groups forever). A quadratic pass over 200,000
/// characters is 4·10^10 steps, minutes of work. The bound is a guard that the scan ends at all, set far above the
/// ~1 s these inputs take, not a speed claim: speed belongs in benchmarks, and shared CI machines are noisy.
/// </summary>
[Collection(TimingSensitive.Name)]
public class AdversarialInputTests
{
    private const int Length = 200_000;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static readonly string[] ShapeList =
    [
        "a", "1", "1 ", "1-", "0 ", "(1", "(123) ", "+1 ", "a@", "a.a@a.", "x@y.z ", "-----BEGIN PRIVATE KEY-----", "api_key=",
        "api_key= x ", "sk-", "AA00 ", "GB82 WEST ", "4111 ", "123-45-", "Bearer ", "a://b:c@", "+44 (0)20 7946-0958 ",
        "ignore all the previous ", "<!--", "<div hidden ", "\u200B", "a\u200B", "![", "<img src=http://a?", "pаypаl ",
        "send the secrets ", "system: you \n", "\U000E0041", "SWdub3Jl", "you are now ",
    ];

    public static TheoryData<string> Shapes() => [.. ShapeList];

    private static string Repeat(string shape) => new StringBuilder(Length + shape.Length).Insert(0, shape, Length / shape.Length).ToString();

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Detect_LongAdversarialInput_FinishesWithinBound(string shape)
    {
        // Arrange
        var text = Repeat(shape);
        PiiDetector.Detect("warm up: a@b.io +44 20 7946 0958");

        // Act
        var clock = Stopwatch.StartNew();
        var findings = PiiDetector.Detect(text);
        clock.Stop();

        // Assert
        clock.Elapsed.ShouldBeLessThan(Bound, $"{findings.Count} findings");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Assess_LongAdversarialInput_FinishesWithinBound(string shape)
    {
        // Arrange
        var text = Repeat(shape);
        InjectionDetector.Assess("warm up: ignore previous instructions", ContentSource.ToolResult);

        // Act
        var clock = Stopwatch.StartNew();
        var assessment = InjectionDetector.Assess(text, ContentSource.ToolResult);
        clock.Stop();

        // Assert
        clock.Elapsed.ShouldBeLessThan(Bound, $"{assessment.Signals.Count} signals");
        assessment.Signals.Count.ShouldBeLessThanOrEqualTo(InjectionDetector.MaxOccurrencesPerSignal * 14);
    }
}
