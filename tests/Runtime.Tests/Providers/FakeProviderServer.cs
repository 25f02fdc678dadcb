using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Warden.Core.Graphs;
using Warden.Core.Runs;

namespace Warden.Runtime.Tests.Providers;

/// <summary>What the fake provider saw: enough to assert the SDK put the right things on the wire.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, random port) that answers every request with whatever the test scripted.
/// The adapters talk to it through their real SDKs, so the tests cover serialization, auth headers and error paths.
/// </summary>
public sealed class FakeProviderServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();

    private FakeProviderServer(WebApplication app, X509Certificate2? certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    /// <summary>The self-signed loopback certificate when started with HTTPS.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The next reply; tests set it before calling the adapter.</summary>
    public Func<HttpContext, Task> Reply { get; set; } = ctx => Respond(ctx, 500, "{}");

    public Uri BaseUrl => new(_app.Urls.First());

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    /// <param name="https">Serve TLS with a fresh self-signed certificate (bearer-token auth refuses plain HTTP).</param>
    public static async Task<FakeProviderServer> StartAsync(bool https = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var certificate = https ? SelfSignedLoopbackCertificate() : null;
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls(https ? "https://127.0.0.1:0" : "http://127.0.0.1:0");
        if (certificate is not null)
        {
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(h => h.ServerCertificate = certificate));
        }

        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeProviderServer(app, certificate);
        app.Run(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync(ctx.RequestAborted);
            var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            server._received.Enqueue(new ReceivedRequest(ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString, headers, body));
            await server.Reply(ctx);
        });
        await app.StartAsync();
        return server;
    }

    /// <summary>An HTTP client that trusts exactly this server's certificate.</summary>
    public HttpClient TrustingHttpClient()
    {
        var expected = Certificate ?? throw new InvalidOperationException("the server was started without HTTPS");
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == expected.GetCertHashString(),
            },
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public static async Task Respond(HttpContext ctx, int status, string body, params (string Name, string Value)[] headers)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        foreach (var (name, value) in headers)
        {
            ctx.Response.Headers[name] = value;
        }

        await ctx.Response.WriteAsync(body, ctx.RequestAborted);
    }

    /// <summary>Answers only after <paramref name="delay"/>, or gives up when the client hangs up.</summary>
    public static async Task RespondSlowly(HttpContext ctx, TimeSpan delay, string body)
    {
        try
        {
            await Task.Delay(delay, ctx.RequestAborted);
            await Respond(ctx, 200, body);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A loopback URL nothing listens on, for connection-refused cases.</summary>
    public static Uri UnusedUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    public static NodeInvocation Invocation(string provider, string model, string role = "planner", string prompt = "Plan the launch of a small bakery.", TimeSpan? timeout = null) =>
        new("run-1", "demo", "graph-1", "plan", 1, 1, role, prompt, provider, model, timeout ?? TimeSpan.FromSeconds(30), MockSettings.None, 7);

    private static X509Certificate2 SelfSignedLoopbackCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
        Certificate?.Dispose();
    }
}
