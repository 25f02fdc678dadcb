using Shouldly;
using Warden.Core.Governance.Injection;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Governance.Injection;

/// <summary>The injection corpora under the default policy: attacks are stopped with the expected signals, benign texts pass.</summary>
public class InjectionCorpusTests
{
    public static TheoryData<CorpusSample> Positives() => [.. Corpus.Load("tests/Core.Tests/Governance/Corpora/injection-positive.txt", 3)];

    public static TheoryData<CorpusSample> Negatives() => [.. Corpus.Load("tests/Core.Tests/Governance/Corpora/injection-negative.txt", 2)];

    internal static ContentSource Source(string field) => field switch
    {
        "user" => ContentSource.UserInput,
        "tool" => ContentSource.ToolResult,
        "retrieved" => ContentSource.Retrieved,
        _ => throw new FormatException($"unknown source '{field}'"),
    };

    [Theory]
    [MemberData(nameof(Positives))]
    public void Check_PositiveSample_NotAllowedAndExpectedSignalsReported(CorpusSample sample)
    {
        // Arrange
        var expected = Corpus.List(sample.Fields[1]).ToList();

        // Act
        var decision = InjectionGate.Check(sample.Text, Source(sample.Fields[0]), InjectionPolicy.Default);

        // Assert
        var names = decision.Assessment.SignalNames;
        decision.Action.ShouldBe(InjectionAction.Block, $"score {decision.Assessment.Score}, signals {string.Join(",", names)}");
        expected.ShouldBeSubsetOf(names, $"signals {string.Join(",", names)}");
    }

    [Theory]
    [MemberData(nameof(Negatives))]
    public void Check_NegativeSample_Allowed(CorpusSample sample)
    {
        // Act
        var decision = InjectionGate.Check(sample.Text, Source(sample.Fields[0]), InjectionPolicy.Default);

        // Assert
        decision.Action.ShouldBe(InjectionAction.Allow, $"score {decision.Assessment.Score}, signals {string.Join(",", decision.Assessment.SignalNames)}");
    }

    [Fact]
    public void Corpora_Size_AtLeastThirtyEach()
    {
        // Assert
        Positives().Count.ShouldBeGreaterThanOrEqualTo(30);
        Negatives().Count.ShouldBeGreaterThanOrEqualTo(30);
    }
}
