using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;

namespace Warden.Runtime.Tests.Secrets;

/// <summary>
/// A Key Vault endpoint in memory, plugged into the SDK through Azure.Core's transport (<see cref="HttpClientTransport"/> over
/// this handler): <c>GET {vault}/secrets/{name}?api-version=...</c> answers the Key Vault JSON shape or a 404 SecretNotFound.
/// It speaks the challenge flow SecretClient starts with: a request without a bearer token gets 401 and a WWW-Authenticate
/// naming the tenant and the vault resource, and the client retries with a token from <see cref="FakeCredential"/>.
/// </summary>
public sealed class FakeKeyVault : HttpMessageHandler
{
    public const string Token = "fake-vault-token";

    // The SDK caches challenges per host for the process, so each vault gets its own host.
    public Uri Uri { get; } = new($"https://kv{Guid.NewGuid():N}.vault.azure.net/");

    public ConcurrentDictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    /// <summary>Secret name → status to answer instead (403, 500, ...).</summary>
    public ConcurrentDictionary<string, HttpStatusCode> Failures { get; } = new(StringComparer.Ordinal);

    public int Requests => _requests;

    public int SecretReads => _secretReads;

    private int _requests;
    private int _secretReads;

    public SecretClientOptions Options() => new()
    {
        Transport = new HttpClientTransport(new HttpClient(this, disposeHandler: false)),
        Retry = { MaxRetries = 0 },
    };

    public SecretClient Client() => new(Uri, new FakeCredential(), Options());

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Answer(request));

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) => Answer(request);

    private HttpResponseMessage Answer(HttpRequestMessage request)
    {
        Interlocked.Increment(ref _requests);
        var uri = request.RequestUri!;
        if (uri.Host != Uri.Host || !uri.Query.Contains("api-version=", StringComparison.Ordinal))
        {
            return Json(HttpStatusCode.BadRequest, new { error = new { code = "BadRequest", message = "unexpected request" } });
        }

        if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: Token })
        {
            var challenge = Json(HttpStatusCode.Unauthorized, new { error = new { code = "Unauthorized", message = "AKV10000: Request is missing a Bearer or PoP token." } });
            challenge.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001\", resource=\"https://vault.azure.net\"");
            return challenge;
        }

        var segments = uri.AbsolutePath.Trim('/').Split('/');
        if (request.Method != HttpMethod.Get || segments is not ["secrets", var name, ..])
        {
            return Json(HttpStatusCode.BadRequest, new { error = new { code = "BadRequest", message = "unexpected request" } });
        }

        Interlocked.Increment(ref _secretReads);
        if (Failures.TryGetValue(name, out var status))
        {
            return Json(status, new { error = new { code = status == HttpStatusCode.Forbidden ? "Forbidden" : "InternalError", message = $"failure {(int)status}" } });
        }

        return Secrets.TryGetValue(name, out var value)
            ? Json(HttpStatusCode.OK, new { value, id = $"{Uri}secrets/{name}/0123456789abcdef", attributes = new { enabled = true } })
            : Json(HttpStatusCode.NotFound, new { error = new { code = "SecretNotFound", message = $"A secret with (name/id) {name} was not found in this key vault." } });
    }

    private static HttpResponseMessage Json(HttpStatusCode status, object body) => new(status)
    {
        Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
    };
}

/// <summary>A credential that hands out a fixed token, so no identity is needed.</summary>
public sealed class FakeCredential : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(FakeKeyVault.Token, DateTimeOffset.UtcNow.AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(GetToken(requestContext, cancellationToken));
}
