using System.Text.RegularExpressions;

namespace Warden.Core.Governance.Pii;

/// <summary>
/// Secrets and API keys. Keyed formats are matched by their fixed prefixes: OpenAI and Anthropic (<c>sk-</c>),
/// AWS access key ids (<c>AKIA</c>/<c>ASIA</c>), GitHub (<c>ghp_</c>, <c>gho_</c>, <c>github_pat_</c>, ...), Slack
/// (<c>xoxb-</c>, <c>xoxp-</c>, ...), Stripe (<c>sk_live_</c>), Google (<c>AIza</c>), JWTs and PEM private key blocks.
/// Unkeyed secrets are found by context: the value of an assignment whose name mentions a key, secret, token or
/// password (<c>api_key=...</c>, <c>"client_secret": "..."</c>), a bearer or basic credential, and the password in
/// <c>scheme://user:password@host</c>; such values must look random (see <see cref="LooksRandom"/>), so
/// <c>max_tokens=4096</c> and <c>api_key=YOUR_KEY_HERE</c> are left alone. Only the value is a finding, never the name.
/// </summary>
internal static partial class SecretRule
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;
    private const string LineBreak = @"(?:\r?\n|\\n)";

    private static readonly string[] Placeholders = ["your", "example", "xxxx", "placeholder", "changeme", "redacted", "dummy", "sample", "<", ">", "{", "}", "${", "***", "..."];

    [GeneratedRegex(@"\bsk-[A-Za-z0-9_-]{20,}", Options)]
    private static partial Regex OpenAi();

    [GeneratedRegex(@"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b", Options)]
    private static partial Regex AwsAccessKey();

    [GeneratedRegex(@"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})", Options)]
    private static partial Regex GitHub();

    [GeneratedRegex(@"\bxox[bpoasr]-[A-Za-z0-9-]{10,}", Options)]
    private static partial Regex Slack();

    [GeneratedRegex(@"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}", Options)]
    private static partial Regex Stripe();

    [GeneratedRegex(@"\bAIza[A-Za-z0-9_-]{35}", Options)]
    private static partial Regex Google();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", Options)]
    private static partial Regex Jwt();

    /// <summary>
    /// Header lines (<c>Proc-Type:</c>) and base64 lines, with real or JSON-escaped (<c>\n</c>) line breaks, then the
    /// END line if present. A blank line ends an unterminated block, so a truncated key does not swallow the prose after it.
    /// </summary>
    [GeneratedRegex(
        @"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----" + LineBreak + @"?(?:[A-Za-z-]+: [^\r\n\\]*" + LineBreak + @")*" + LineBreak + @"?(?:[A-Za-z0-9+/=]+" + LineBreak + @")*[A-Za-z0-9+/=]*(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)?",
        Options)]
    private static partial Regex PrivateKeyBlock();

    /// <summary>The name and operator of an assignment whose name mentions a credential; the value is read by <see cref="ReadValue"/>.</summary>
    [GeneratedRegex(
        @"[A-Za-z0-9_.-]*(?:api[_-]?key|apikey|secret|token|passw(?:or)?d|pwd|credential|private[_-]?key|access[_-]?key)[A-Za-z0-9_.-]*[""']?[ \t]*(?::|=|:=|=>)[ \t]*[""']?",
        Options | RegexOptions.IgnoreCase)]
    private static partial Regex AssignmentName();

    [GeneratedRegex(@"\b(?:bearer|basic)[ \t]+", Options | RegexOptions.IgnoreCase)]
    private static partial Regex AuthorizationScheme();

    [GeneratedRegex(@"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]+:", Options)]
    private static partial Regex UrlUserInfo();

    public static void Find(string text, List<PiiFinding> into)
    {
        Keyed(text, OpenAi(), "openai_key", into, mustHaveDigit: true);
        Keyed(text, AwsAccessKey(), "aws_access_key", into);
        Keyed(text, GitHub(), "github_token", into);
        Keyed(text, Slack(), "slack_token", into);
        Keyed(text, Stripe(), "stripe_key", into);
        Keyed(text, Google(), "google_api_key", into);
        Keyed(text, Jwt(), "jwt", into);
        Keyed(text, PrivateKeyBlock(), "private_key_block", into);
        Valued(text, AssignmentName(), ValueKind.Assignment, into);
        Valued(text, AuthorizationScheme(), ValueKind.Authorization, into);
        Valued(text, UrlUserInfo(), ValueKind.UrlPassword, into);
    }

    private static void Keyed(string text, Regex pattern, string rule, List<PiiFinding> into, bool mustHaveDigit = false)
    {
        foreach (var match in pattern.EnumerateMatches(text))
        {
            if (!mustHaveDigit || text.AsSpan(match.Index, match.Length).IndexOfAnyInRange('0', '9') >= 0)
            {
                into.Add(new PiiFinding(PiiKind.Secret, match.Index, match.Length, rule));
            }
        }
    }

    private enum ValueKind
    {
        Assignment,
        Authorization,
        UrlPassword,
    }

    /// <summary>
    /// The regex finds the name; the value after it is read here, which keeps every scan capture-free. A match
    /// inside a value already read is skipped, so each character is read at most once per rule.
    /// </summary>
    private static void Valued(string text, Regex name, ValueKind kind, List<PiiFinding> into)
    {
        var readUpTo = 0;
        foreach (var match in name.EnumerateMatches(text))
        {
            if (match.Index < readUpTo)
            {
                continue;
            }

            var start = match.Index + match.Length;
            var end = ReadValue(text, start, kind);
            readUpTo = end;
            var complete = kind != ValueKind.UrlPassword || TextScan.At(text, end) == '@';
            var password = kind == ValueKind.UrlPassword || text.AsSpan(match.Index, match.Length).Contains("pass", StringComparison.OrdinalIgnoreCase);
            if (complete && LooksRandom(text.AsSpan(start, end - start), password ? 8 : 12))
            {
                var rule = kind switch
                {
                    ValueKind.Assignment => "credential_assignment",
                    ValueKind.Authorization => "authorization_credential",
                    _ => "url_password",
                };
                into.Add(new PiiFinding(PiiKind.Secret, start, end - start, rule));
            }
        }
    }

    private static int ReadValue(string text, int start, ValueKind kind)
    {
        var end = start;
        while (end < text.Length && kind switch
        {
            ValueKind.Assignment => !char.IsWhiteSpace(text[end]) && text[end] is not ('"' or '\'' or ',' or ';'),
            ValueKind.Authorization => char.IsAsciiLetterOrDigit(text[end]) || text[end] is '.' or '_' or '~' or '+' or '/' or '-' or '=',
            _ => !char.IsWhiteSpace(text[end]) && text[end] is not (':' or '/' or '@'),
        })
        {
            end++;
        }

        return end;
    }

    /// <summary>
    /// A credential rather than a word, number or template: long enough, at least 3 bits of entropy per
    /// character (2.5 for short passwords), letters mixed with digits or symbols, and no placeholder wording.
    /// </summary>
    internal static bool LooksRandom(ReadOnlySpan<char> value, int minLength)
    {
        if (value.Length < minLength)
        {
            return false;
        }

        foreach (var placeholder in Placeholders)
        {
            if (value.Contains(placeholder, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        bool lower = false, upper = false, digit = false, symbol = false;
        foreach (var c in value)
        {
            lower |= char.IsAsciiLetterLower(c);
            upper |= char.IsAsciiLetterUpper(c);
            digit |= char.IsAsciiDigit(c);
            symbol |= !char.IsAsciiLetterOrDigit(c);
        }

        var mixed = (lower || upper) && (digit || (symbol && lower && upper));
        return mixed && TextScan.Entropy(value) >= (minLength < 12 ? 2.5 : 3.0);
    }
}
