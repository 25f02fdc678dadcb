using Shouldly;
using Warden.Core.Governance.Pii;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Governance.Pii;

/// <summary>The PII corpora: realistic samples with the findings they must produce, and near-misses that must produce none.</summary>
public class PiiCorpusTests
{
    public static TheoryData<CorpusSample> Positives() => [.. Corpus.Load("tests/Core.Tests/Governance/Corpora/pii-positive.txt", 2)];

    public static TheoryData<CorpusSample> Negatives() => [.. Corpus.Load("tests/Core.Tests/Governance/Corpora/pii-negative.txt", 1)];

    [Theory]
    [MemberData(nameof(Positives))]
    public void Detect_PositiveSample_FindsExactlyTheExpectedKinds(CorpusSample sample)
    {
        // Arrange
        var expected = Corpus.List(sample.Fields[0]).Order().ToList();

        // Act
        var findings = PiiDetector.Detect(sample.Text);

        // Assert
        findings.Select(f => PiiKinds.WireName(f.Kind)).Order().ToList().ShouldBe(expected, Describe(sample.Text, findings));
    }

    [Theory]
    [MemberData(nameof(Negatives))]
    public void Detect_NegativeSample_FindsNothing(CorpusSample sample)
    {
        // Act
        var findings = PiiDetector.Detect(sample.Text);

        // Assert
        findings.ShouldBeEmpty(Describe(sample.Text, findings));
    }

    [Fact]
    public void Corpora_Size_AtLeastFortyEach()
    {
        // Assert
        Positives().Count.ShouldBeGreaterThanOrEqualTo(40);
        Negatives().Count.ShouldBeGreaterThanOrEqualTo(40);
    }

    /// <summary>Test output may show the matched text: corpus values are fake.</summary>
    private static string Describe(string text, IReadOnlyList<PiiFinding> findings) =>
        string.Join("; ", findings.Select(f => $"{f.Rule} '{text.Substring(f.Start, f.Length)}'"));
}
