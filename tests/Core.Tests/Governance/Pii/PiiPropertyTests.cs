using FsCheck;
using FsCheck.Fluent;
using Shouldly;
using Warden.Core.Governance.Pii;
using Xunit;

namespace Warden.Core.Tests.Governance.Pii;

/// <summary>Invariants of detection and redaction over generated texts.</summary>
public class PiiPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300);

    /// <summary>Values every rule detects without context, so each occurrence in a generated text is found.</summary>
    private static readonly string[] Samples =
    [
        "jane.doe@example.com", "ops+alerts@mail.example.co.uk", "+44 20 7946 0958", "(415) 555-0132", "020 7946 0958",
        "4111 1111 1111 1111", "5555555555554444", "DE89 3704 0044 0532 0130 00", "NL91ABNA0417164300", "536-22-8726",
        "AB 12 34 56 C", "AKIAIOSFODNN7EXAMPLE", "ghp_U8JZpDE0iGXlD6gNCFbaEPFjbD0kH8Oool8D", "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    ];

    /// <summary>Filler, including near-misses, that no rule detects.</summary>
    private static readonly string[] Filler =
    [
        "the", "order", "#4521", "shipped", "2024-03-15", "v10.0.14", "$1,234.56", "ignore", "and", "call", "on", "at",
        "12", "room", "4012", "\n", "—", "日本語", "ok.", "(", ")", ",", "1.5", "x",
    ];

    private static Arbitrary<string> Texts { get; } =
        Gen.Frequency((3, Gen.Elements(Filler)), (1, Gen.Elements(Samples)))
            .ListOf()
            .Select(words => string.Join(' ', words))
            .ToArbitrary();

    /// <summary>Anything at all, including surrogates and control characters, mixed with samples.</summary>
    private static Arbitrary<string> AnyTexts { get; } =
        Gen.Frequency((2, ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "")), (1, Gen.Elements(Samples)))
            .ListOf()
            .Select(parts => string.Concat(parts))
            .ToArbitrary();

    [Fact]
    public void Redact_GeneratedText_NoDetectedValueRemains()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Texts, text =>
        {
            var findings = PiiDetector.Detect(text);
            var redacted = PiiRedactor.Redact(text, findings);
            foreach (var finding in findings)
            {
                redacted.ShouldNotContain(text.Substring(finding.Start, finding.Length));
            }

            foreach (var sample in Samples)
            {
                redacted.ShouldNotContain(sample);
            }
        }).Check(Config);
    }

    [Fact]
    public void Redact_AnyText_PreservesTextOutsideFindings()
    {
        // Arrange + Act + Assert
        Prop.ForAll(AnyTexts, text =>
        {
            var findings = PiiDetector.Detect(text);
            var redacted = PiiRedactor.Redact(text, findings);

            // Walk the original and the output together: gaps must match exactly, findings must be placeholders.
            var (at, outAt) = (0, 0);
            foreach (var finding in findings)
            {
                var gap = text[at..finding.Start];
                redacted.Substring(outAt, gap.Length).ShouldBe(gap);
                outAt += gap.Length;
                var placeholder = PiiKinds.Placeholder(finding.Kind);
                redacted.Substring(outAt, placeholder.Length).ShouldBe(placeholder);
                outAt += placeholder.Length;
                at = finding.End;
            }

            redacted[outAt..].ShouldBe(text[at..]);
        }).Check(Config);
    }

    [Fact]
    public void Detect_AnyText_FindingsInBoundsOrderedAndDisjoint()
    {
        // Arrange + Act + Assert
        Prop.ForAll(AnyTexts, text =>
        {
            var findings = PiiDetector.Detect(text);
            findings.ShouldAllBe(f => f.Start >= 0 && f.Length > 0 && f.End <= text.Length);
            findings.Zip(findings.Skip(1)).ShouldAllBe(pair => pair.First.End <= pair.Second.Start);
        }).Check(Config);
    }

    [Fact]
    public void Detect_SameText_SameFindings()
    {
        // Arrange + Act + Assert
        Prop.ForAll(AnyTexts, text => PiiDetector.Detect(text).ShouldBe(PiiDetector.Detect(new string(text.AsSpan())))).Check(Config);
    }

    [Fact]
    public void Detect_EmbeddedSample_FoundWithItsExactSpan()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Texts, Gen.Elements(Samples).ToArbitrary(), (prefix, sample) =>
        {
            var text = $"{prefix} {sample} end";
            var start = prefix.Length + 1;
            PiiDetector.Detect(text).ShouldContain(f => f.Start == start && f.Length == sample.Length, $"'{sample}' in '{text}'");
        }).Check(Config);
    }
}
