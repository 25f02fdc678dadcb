namespace Warden.Core.Governance.Pii;

/// <summary>The check digits that separate real card numbers and IBANs from look-alike digit runs.</summary>
internal static class Checksums
{
    /// <summary>Luhn (mod 10) over ASCII digits: what every payment card number satisfies.</summary>
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt)
            {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return digits.Length > 0 && sum % 10 == 0;
    }

    /// <summary>
    /// ISO 13616: move the country code and check digits to the end, read letters as 10..35, and the number
    /// mod 97 must be 1. Computed a digit at a time so no big integer is needed.
    /// </summary>
    public static bool IbanMod97(ReadOnlySpan<char> iban)
    {
        if (iban.Length < 5)
        {
            return false;
        }

        var remainder = 0;
        for (var k = 0; k < iban.Length; k++)
        {
            var c = char.ToUpperInvariant(iban[(k + 4) % iban.Length]);
            if (char.IsAsciiDigit(c))
            {
                remainder = (remainder * 10 + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return remainder == 1;
    }
}
