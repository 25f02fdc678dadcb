using Shouldly;
using Warden.Core.Governance.Pii;
using Xunit;

namespace Warden.Core.Tests.Governance.Pii;

public class PiiDetectorTests
{
    private static List<(string Rule, string Value)> Found(string text) =>
        [.. PiiDetector.Detect(text).Select(f => (f.Rule, text.Substring(f.Start, f.Length)))];

    [Theory]
    [InlineData("Call +44 20 7946 0958 tomorrow", "+44 20 7946 0958")]
    [InlineData("Office (415) 555-0132.", "(415) 555-0132")]
    [InlineData("2024 415-555-0132", "415-555-0132")]
    [InlineData("mobile 07700 900123, thanks", "07700 900123")]
    public void Detect_Phone_SpanCoversOnlyTheNumber(string text, string expected)
    {
        // Act
        var found = Found(text);

        // Assert
        found.ShouldBe([("phone", expected)]);
    }

    [Theory]
    [InlineData("12-415-555-0132")]
    [InlineData("415-555-0132-77")]
    [InlineData("#415-555-0132")]
    [InlineData("$415 555 0132")]
    [InlineData("4155550132")]
    [InlineData("07700900123")]
    public void Detect_PhoneGluedToAnIdOrWithoutContext_NotAPhone(string text)
    {
        // Act + Assert
        PiiDetector.Detect(text).ShouldBeEmpty();
    }

    [Fact]
    public void Detect_BarePhoneDigitsAfterKeyword_Phone()
    {
        // Act + Assert
        Found("please call 07700900123").ShouldBe([("phone", "07700900123")]);
    }

    [Fact]
    public void Detect_IbanFollowedByCapitalWords_CutAtCountryLength()
    {
        // Arrange
        const string text = "Pay DE89 3704 0044 0532 0130 00 AB CD today";

        // Act + Assert
        Found(text).ShouldBe([("iban", "DE89 3704 0044 0532 0130 00")]);
    }

    [Fact]
    public void Detect_CardDigitsInsideAnIban_OnlyTheIban()
    {
        // Arrange: a valid German IBAN whose account digits start with a Luhn-valid Visa number.
        const string text = "DE95 4111 1111 1111 1111 00";

        // Act + Assert
        PiiDetector.Detect(text).Select(f => f.Kind).ShouldBe([PiiKind.Iban]);
    }

    [Fact]
    public void Detect_CredentialAssignment_OnlyTheValue()
    {
        // Act + Assert
        Found("export CLIENT_SECRET='Zq8vN2rT5wX9yB3mK7pL1sD4'; next").ShouldBe([("credential_assignment", "Zq8vN2rT5wX9yB3mK7pL1sD4")]);
    }

    [Fact]
    public void Detect_UrlWithPassword_PasswordNotHostAsEmail()
    {
        // Act + Assert
        Found("redis://default:Xk29fLq81Zr@cache.example.com:6379").ShouldBe([("url_password", "Xk29fLq81Zr")]);
    }

    [Fact]
    public void Detect_UnterminatedPrivateKey_BlockUpToTheBodyEnd()
    {
        // Arrange
        const string text = "key:\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nAmEwggJdAgEAAoGBAL\n\nThat is all.";

        // Act
        var found = Found(text);

        // Assert
        found.ShouldHaveSingleItem().Rule.ShouldBe("private_key_block");
        found[0].Value.ShouldStartWith("-----BEGIN PRIVATE KEY-----");
        found[0].Value.ShouldContain("AoGBAL");
        found[0].Value.ShouldNotContain("That");
    }

    [Theory]
    [InlineData("api_key=sk_example_placeholder")]
    [InlineData("token: abcdefghijklmnop")]
    [InlineData("password=aaaaaaaaaaaa1")]
    [InlineData("Bearer <token>")]
    public void Detect_LowEntropyOrPlaceholderCredential_NotASecret(string text)
    {
        // Act + Assert
        PiiDetector.Detect(text).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("078-05-1120")]
    [InlineData("219-09-9999")]
    [InlineData("123-45-0000")]
    [InlineData("SSN 666123456")]
    public void Detect_NeverIssuedSsn_NotANationalId(string text)
    {
        // Act + Assert
        PiiDetector.Detect(text).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("GB 12 34 56 C")]
    [InlineData("DA123456A")]
    [InlineData("AO123456B")]
    [InlineData("AB123456E")]
    public void Detect_UnallocatedNinoPrefixOrSuffix_NotANationalId(string text)
    {
        // Act + Assert
        PiiDetector.Detect(text).ShouldBeEmpty();
    }

    [Fact]
    public void Detect_SeveralKinds_OrderedByPositionWithoutOverlap()
    {
        // Arrange
        const string text = "a@b.io, 4111 1111 1111 1111, +1 415 555 0132, AKIAIOSFODNN7EXAMPLE";

        // Act
        var findings = PiiDetector.Detect(text);

        // Assert
        findings.Select(f => f.Kind).ShouldBe([PiiKind.Email, PiiKind.PaymentCard, PiiKind.Phone, PiiKind.Secret]);
        findings.Zip(findings.Skip(1)).ShouldAllBe(pair => pair.First.End <= pair.Second.Start);
    }

    [Fact]
    public void Detect_EmptyText_Nothing()
    {
        // Act + Assert
        PiiDetector.Detect("").ShouldBeEmpty();
    }
}
