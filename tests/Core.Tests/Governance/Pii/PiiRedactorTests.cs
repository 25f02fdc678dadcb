using Shouldly;
using Warden.Core.Governance.Pii;
using Xunit;

namespace Warden.Core.Tests.Governance.Pii;

public class PiiRedactorTests
{
    private const string Text = "Mail jane@example.com or call +44 20 7946 0958.";

    [Fact]
    public void Screen_RedactInput_PlaceholdersAndPositionsInTheOriginal()
    {
        // Act
        var screening = PiiRedactor.Screen(Text, new PiiPolicy(PiiMode.Redact, PiiMode.Off), PiiDirection.Input);

        // Assert
        screening.Outcome.ShouldBe(PiiOutcome.Redacted);
        screening.Text.ShouldBe("Mail [REDACTED:email] or call [REDACTED:phone].");
        screening.Findings.Select(f => (f.Kind, f.Start, f.Length)).ShouldBe([(PiiKind.Email, 5, 16), (PiiKind.Phone, 30, 16)]);
        screening.MayProceed.ShouldBeTrue();
    }

    [Fact]
    public void Screen_BlockOutput_NotToProceedWithKindsNamed()
    {
        // Act
        var screening = PiiRedactor.Screen(Text, new PiiPolicy(PiiMode.Off, PiiMode.Block), PiiDirection.Output);

        // Assert
        screening.Outcome.ShouldBe(PiiOutcome.Blocked);
        screening.MayProceed.ShouldBeFalse();
        screening.Kinds.ShouldBe([PiiKind.Email, PiiKind.Phone]);
        screening.Text.ShouldNotContain("jane@example.com");
    }

    [Fact]
    public void Screen_DirectionOff_TextUntouchedAndNotChecked()
    {
        // Act
        var screening = PiiRedactor.Screen(Text, new PiiPolicy(PiiMode.Off, PiiMode.Block), PiiDirection.Input);

        // Assert
        screening.Outcome.ShouldBe(PiiOutcome.NotChecked);
        screening.Text.ShouldBeSameAs(Text);
        screening.Findings.ShouldBeEmpty();
    }

    [Fact]
    public void Screen_CleanText_Clean()
    {
        // Act
        var screening = PiiRedactor.Screen("Order #4521 ships on 2024-03-15.", PiiPolicy.RedactAll, PiiDirection.Input);

        // Assert
        screening.Outcome.ShouldBe(PiiOutcome.Clean);
        screening.Text.ShouldBe("Order #4521 ships on 2024-03-15.");
    }

    [Fact]
    public void Screen_KindsNarrowed_OtherKindsPassThrough()
    {
        // Arrange
        var policy = new PiiPolicy(PiiMode.Redact, PiiMode.Redact, new HashSet<PiiKind> { PiiKind.Phone });

        // Act
        var screening = PiiRedactor.Screen(Text, policy, PiiDirection.Input);

        // Assert
        screening.Text.ShouldBe("Mail jane@example.com or call [REDACTED:phone].");
        screening.Kinds.ShouldBe([PiiKind.Phone]);
    }

    [Theory]
    [InlineData(PiiKind.Email, "[REDACTED:email]")]
    [InlineData(PiiKind.PaymentCard, "[REDACTED:payment_card]")]
    [InlineData(PiiKind.NationalId, "[REDACTED:national_id]")]
    [InlineData(PiiKind.Secret, "[REDACTED:secret]")]
    public void Placeholder_Kind_TypedPlaceholder(PiiKind kind, string expected)
    {
        // Act + Assert
        PiiKinds.Placeholder(kind).ShouldBe(expected);
    }

    [Fact]
    public void Redact_OverlappingFindings_Throws()
    {
        // Arrange
        PiiFinding[] findings = [new(PiiKind.Email, 0, 5, "email"), new(PiiKind.Phone, 3, 4, "phone")];

        // Act + Assert
        Should.Throw<ArgumentException>(() => PiiRedactor.Redact("0123456789", findings));
    }
}
