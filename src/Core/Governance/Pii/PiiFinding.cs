namespace Warden.Core.Governance.Pii;

/// <summary>What a finding is. Wire names are snake_case (<c>payment_card</c>, <c>national_id</c>).</summary>
public enum PiiKind
{
    Email,
    Phone,
    PaymentCard,
    Iban,
    NationalId,
    Secret,
}

/// <summary>
/// Where a piece of personal data or a secret sits in a text: never the value itself, so a finding can be
/// logged, audited and streamed. <see cref="Rule"/> names the detector that matched (<c>us_ssn</c>,
/// <c>aws_access_key</c>, ...) for audits and tuning.
/// </summary>
public sealed record PiiFinding(PiiKind Kind, int Start, int Length, string Rule)
{
    public int End => Start + Length;
}

public static class PiiKinds
{
    /// <summary>The name used in placeholders and audit rows; stable, independent of the enum's spelling.</summary>
    public static string WireName(PiiKind kind) => kind switch
    {
        PiiKind.Email => "email",
        PiiKind.Phone => "phone",
        PiiKind.PaymentCard => "payment_card",
        PiiKind.Iban => "iban",
        PiiKind.NationalId => "national_id",
        PiiKind.Secret => "secret",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown PII kind"),
    };

    public static string Placeholder(PiiKind kind) => $"[REDACTED:{WireName(kind)}]";
}
