using Shouldly;
using Warden.Core.Governance.Pii;
using Xunit;

namespace Warden.Core.Tests.Governance.Pii;

public class ChecksumsTests
{
    [Theory]
    [InlineData("4111111111111111", true)]
    [InlineData("378282246310005", true)]
    [InlineData("79927398713", true)]
    [InlineData("4111111111111112", false)]
    [InlineData("79927398710", false)]
    [InlineData("", false)]
    public void Luhn_KnownNumbers_MatchesReference(string digits, bool expected)
    {
        // Act + Assert
        Checksums.Luhn(digits).ShouldBe(expected);
    }

    [Theory]
    [InlineData("GB82WEST12345698765432", true)]
    [InlineData("gb82west12345698765432", true)]
    [InlineData("NO9386011117947", true)]
    [InlineData("GB82WEST12345698765433", false)]
    [InlineData("GB28WEST12345698765432", false)]
    [InlineData("GB82", false)]
    [InlineData("GB82WEST1234569876543!", false)]
    public void IbanMod97_KnownIbans_MatchesReference(string iban, bool expected)
    {
        // Act + Assert
        Checksums.IbanMod97(iban).ShouldBe(expected);
    }
}
