using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Warden.Core.Graphs;
using Warden.Core.Serialization;
using Warden.Runtime.Engine;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Api;

/// <summary>
/// The HTTP API's handlers, shared by both hosts: Kestrel routes (see <see cref="WardenApiRoutes"/>) and
/// Azure Functions HTTP triggers each bind a route to one of these methods and add nothing.
/// </summary>
public sealed partial class WardenApi(
    ITenantStore tenants,
    IGraphStore graphs,
    IRunStore runs,
    IUsageStore usage,
    ICatalogStore catalog,
    ITaskStore taskStore,
    ITaskEngine tasks,
    IRunEngine engine,
    IGuardrailAdmin guardrails,
    IApiRateLimiter rateLimiter,
    WardenSettings settings,
    TimeProvider clock,
    IAuditLog audit,
    IServiceProvider services)
{
    public const string ApiKeyHeader = "X-API-Key";

    private static readonly string[] GraphMediaTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json", "text/plain"];
    private static readonly string[] JsonMediaTypes = ["application/json"];

    public static IResult Health() =>
        Results.Json(new { status = "ok", engine = "embedded", store = "sqlite" }, WardenJson.Options);

    public static IResult Error(int status, string code, string message, object? details = null) =>
        Results.Json(new ErrorBody(code, message, details), WardenJson.Options, statusCode: status);

    private static IResult Json(object value, int status = StatusCodes.Status200OK) =>
        Results.Json(value, WardenJson.Options, statusCode: status);

    /// <summary>Authenticates, checks the role, runs the handler and maps every failure to the uniform error body.</summary>
    private async Task<IResult> GuardAsync(HttpContext http, string[] roles, Func<ApiCaller, Task<IResult>> handler)
    {
        try
        {
            var caller = await AuthenticateAsync(http);
            if (await LimitAsync(http, caller) is { } limited)
            {
                return limited;
            }

            if (!roles.Contains(caller.Role))
            {
                return Error(StatusCodes.Status403Forbidden, "FORBIDDEN", $"role '{caller.Role}' may not do this; allowed: {string.Join(", ", roles)}");
            }

            return await handler(caller);
        }
        catch (ApiException ex)
        {
            return Error(ex.Status, ex.Code, ex.Message, ex.Details);
        }
        catch (GraphValidationException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "GRAPH_INVALID", ex.Message, ex.Errors.Select(e => new { path = e.Path, message = e.Message, line = e.Line, column = e.Column }));
        }
        catch (Core.Testing.SuiteValidationException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "SUITE_INVALID", ex.Message, ex.Errors.Select(e => new { path = e.Path, message = e.Message, line = e.Line, column = e.Column }));
        }
        catch (NotFoundException ex)
        {
            return Error(StatusCodes.Status404NotFound, "NOT_FOUND", ex.Message);
        }
        catch (BudgetExceededException ex)
        {
            return Error(StatusCodes.Status402PaymentRequired, Core.Guardrails.Budget.BudgetLedger.ExceededCode, ex.Message);
        }
        catch (ArgumentException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "VALIDATION_FAILED", ex.Message);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", $"request body is larger than {settings.MaxBodyBytes} bytes");
        }
    }

    /// <summary>Applies the tenant's request limit and sets the X-RateLimit-* headers; returns the 429 when over it.</summary>
    private async Task<IResult?> LimitAsync(HttpContext http, ApiCaller caller)
    {
        var decision = await rateLimiter.AcquireAsync(caller.TenantId, http.RequestAborted);
        var headers = http.Response.Headers;
        headers["X-RateLimit-Limit"] = decision.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = decision.ResetAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (decision.Allowed)
        {
            return null;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds));
        headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Error(StatusCodes.Status429TooManyRequests, "RATE_LIMITED", $"tenant request limit of {decision.Limit} per minute reached; retry in {seconds}s");
    }

    private async Task<ApiCaller> AuthenticateAsync(HttpContext http)
    {
        var key = http.Request.Headers[ApiKeyHeader].ToString();
        var principal = http.Request.Headers[ClientPrincipalOptions.Header].ToString();
        if (string.IsNullOrWhiteSpace(key) && settings.ClientPrincipal.Enabled && principal.Length > 0)
        {
            return await FromClientPrincipalAsync(principal, http);
        }

        if (string.IsNullOrWhiteSpace(key))
        {
            throw new ApiException(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED", $"missing {ApiKeyHeader} header");
        }

        var found = await tenants.AuthenticateAsync(key.Trim(), http.RequestAborted)
            ?? throw new ApiException(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED", "invalid or revoked API key");
        return new ApiCaller(found.TenantId, found.Role, found.KeyId, found.IsPlatform);
    }

    private async Task<ApiCaller> FromClientPrincipalAsync(string header, HttpContext http)
    {
        var (tenantId, role, name, problem) = settings.ClientPrincipal.Read(header);
        if (problem is not null)
        {
            throw new ApiException(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED", problem);
        }

        var tenant = await tenants.GetTenantAsync(tenantId!, http.RequestAborted)
            ?? throw new ApiException(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED", "the signed-in identity's tenant is not a Warden tenant");
        return new ApiCaller(tenant.Id, role!, "user:" + name, tenant.IsPlatform);
    }

    /// <summary>Reads the body as text after checking its media type and size (415 and 413 otherwise).</summary>
    private async Task<(string Text, string MediaType)> ReadBodyAsync(HttpContext http, string[] mediaTypes, bool required = true)
    {
        var request = http.Request;
        var contentType = request.ContentType;
        if (string.IsNullOrEmpty(contentType))
        {
            if (!required && (request.ContentLength ?? 0) == 0)
            {
                return (string.Empty, mediaTypes[0]);
            }

            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", $"set Content-Type to one of: {string.Join(", ", mediaTypes)}");
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed) || !mediaTypes.Contains(parsed.MediaType.Value, StringComparer.OrdinalIgnoreCase))
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", $"Content-Type '{contentType}' is not accepted here; use one of: {string.Join(", ", mediaTypes)}");
        }

        if (request.ContentLength > settings.MaxBodyBytes)
        {
            throw TooLarge();
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > settings.MaxBodyBytes)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        if (required && string.IsNullOrWhiteSpace(text))
        {
            throw ApiException.BadRequest("the request body is empty");
        }

        return (text, parsed.MediaType.Value!.ToLowerInvariant());

        ApiException TooLarge() => new(StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", $"request body is larger than {settings.MaxBodyBytes} bytes");
    }

    private async Task<JsonElement> ReadJsonObjectAsync(HttpContext http, bool required = true)
    {
        var (text, _) = await ReadBodyAsync(http, JsonMediaTypes, required);
        if (string.IsNullOrWhiteSpace(text))
        {
            return JsonDocument.Parse("{}").RootElement;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ApiException.BadRequest("the request body must be a JSON object");
            }

            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {ex.Message}", new { line = (ex.LineNumber ?? 0) + 1, column = (ex.BytePositionInLine ?? 0) + 1 });
        }
    }

    private static string? OptionalString(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw ApiException.BadRequest($"'{name}' must be a string");
    }

    private static long? OptionalLong(JsonElement body, string name, long min, long max)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var n) || n < min || n > max)
        {
            throw ApiException.BadRequest($"'{name}' must be a whole number from {min} to {max}");
        }

        return n;
    }
}
