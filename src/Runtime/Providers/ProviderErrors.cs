using System.Globalization;
using System.Text.Json;

namespace Warden.Runtime.Providers;

/// <summary>
/// Turns a provider's HTTP failure into an <see cref="LlmException"/> the router can act on. Shared by the adapters
/// so every provider classifies a status the same way and scrubs its secret the same way.
/// </summary>
internal static class ProviderErrors
{
    private const int MaxDetailLength = 300;

    /// <summary>
    /// 408, 409 (Anthropic's lock conflicts), 429 and 5xx (including Anthropic's 529 "overloaded") may succeed later;
    /// 400, 401/403, 404, 413 and 422 describe the request or the account and will fail the same way again.
    /// </summary>
    public static bool IsRetryable(int status) => status is 408 or 409 or 429 or >= 500;

    public static LlmException FromStatus(string provider, int status, string? body, TimeSpan? retryAfter, string? secret)
    {
        var detail = ErrorMessage(body);
        var message = detail is null ? $"{provider}: HTTP {status}" : $"{provider}: HTTP {status}: {detail}";
        return new LlmException(Redact(message, secret), IsRetryable(status), status, retryAfter);
    }

    /// <summary>A failure before any response: refused or reset connections, DNS, TLS. Worth retrying.</summary>
    public static LlmException Transport(string provider, Exception ex, string? secret) =>
        new(Redact($"{provider}: connection failed: {ex.Message}", secret), retryable: true, statusCode: null, retryAfter: null, ex as HttpRequestException);

    /// <summary>The SDK's own backstop timeout fired (the caller's token was not cancelled).</summary>
    public static LlmException Timeout(string provider) =>
        new($"{provider}: request timed out before a response arrived", retryable: true, statusCode: null);

    /// <summary>
    /// A 2xx whose body we could not read. Usually a truncated reply or a proxy's error page, not our request,
    /// so another attempt may well succeed; the router's attempt limit and breaker bound the cost if it does not.
    /// </summary>
    public static LlmException Unreadable(string provider, int? status) =>
        new($"{provider}: the response body was not the expected JSON", retryable: true, status);

    /// <summary>
    /// Reads <c>Retry-After-Ms</c> (OpenAI and Anthropic send it, and it is more precise) or <c>Retry-After</c>,
    /// which is either delta-seconds or an HTTP date.
    /// </summary>
    public static TimeSpan? ParseRetryAfter(string? retryAfterMs, string? retryAfter, DateTimeOffset now)
    {
        if (double.TryParse(retryAfterMs, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        if (string.IsNullOrWhiteSpace(retryAfter))
        {
            return null;
        }

        if (double.TryParse(retryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var wait = at - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>Removes the secret wherever it appears; providers sometimes echo the key they rejected.</summary>
    public static string Redact(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, "[redacted]", StringComparison.Ordinal);

    /// <summary>
    /// The human part of an error body, <c>{"error": {"message": ...}}</c> in both wire formats, shortened.
    /// Falls back to nothing rather than echoing an arbitrary body, which could be an HTML page or worse.
    /// </summary>
    private static string? ErrorMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                var text = message.GetString()!.ReplaceLineEndings(" ");
                var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()
                    : error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                    : null;
                text = code is null ? text : $"{code}: {text}";
                return text.Length <= MaxDetailLength ? text : text[..MaxDetailLength] + "…";
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
