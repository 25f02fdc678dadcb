using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Telemetry;
using Warden.Runtime.Tests.Providers;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Telemetry;

/// <summary>
/// Spans and metrics exported by the real Azure Monitor exporter to a stand-in for the Application Insights ingestion
/// service: Kestrel on loopback, named as the connection string's IngestionEndpoint, taking the exporter's
/// <c>POST /v2.1/track</c> batches (JSON envelopes, gzip-compressed when the exporter chooses to).
/// </summary>
public sealed class AzureMonitorExportTests : IAsyncLifetime
{
    private const string InstrumentationKey = "5a6b7c8d-1111-4222-8333-944455556666";

    private readonly ConcurrentQueue<(string Path, string Body)> _received = new();
    private WebApplication _ingestion = null!;

    /// <summary>
    /// The exporter's own usage reporting ("SDK stats") probes the Azure instance metadata address 169.254.169.254 when
    /// a provider is built; traffic off the loopback interface has no place in a test run, and the exporter reads only
    /// this process-wide switch for it. Set before any provider of this class is built.
    /// </summary>
    public AzureMonitorExportTests()
    {
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_SDKSTATS_DISABLED", "true");
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true");
    }

    private string ConnectionString => $"InstrumentationKey={InstrumentationKey};IngestionEndpoint={_ingestion.Urls.First()}/";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _ingestion = builder.Build();
        _ingestion.Run(async context =>
        {
            var body = await ReadBodyAsync(context.Request);
            _received.Enqueue((context.Request.Path, body));
            var items = Envelopes(body).Count;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { itemsReceived = items, itemsAccepted = items, errors = Array.Empty<object>() }));
        });
        await _ingestion.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _ingestion.StopAsync();
        await _ingestion.DisposeAsync();
    }

    [Fact]
    public async Task Run_WithConnectionString_ExportsNodeSpansAndMetricsToTheIngestionEndpoint()
    {
        var options = TelemetryOptions.FromEnvironment(name => name switch
        {
            "APPLICATIONINSIGHTS_CONNECTION_STRING" => ConnectionString,
            "OTEL_SERVICE_NAME" => "warden-azmon-test",
            _ => null,
        });
        options.Endpoint.ShouldBeNull();
        options.Enabled.ShouldBeTrue();

        await using var warden = await TestWarden.StartAsync(configure: s => s.Telemetry = options);
        await warden.UploadAsync(Graphs.Sequential(name: "azmon-seq", nodes: 2));
        var started = await warden.StartAsync("azmon-seq");
        (await warden.WaitForEndAsync(started.RunId)).Status.ShouldBe("completed");

        warden.Services.GetRequiredService<TelemetrySetup>().ForceFlush().ShouldBeTrue();

        _received.ShouldNotBeEmpty();
        _received.ShouldAllBe(r => r.Path == "/v2.1/track");
        var envelopes = _received.SelectMany(r => Envelopes(r.Body)).ToList();
        envelopes.ShouldAllBe(e => e.GetProperty("iKey").GetString() == InstrumentationKey);

        // Internal spans become dependency items named after the span, with the span's attributes as properties.
        // (Other tests in this process emit Warden spans too while this provider listens: keep this run's.)
        var spans = envelopes.Where(e => BaseType(e) == "RemoteDependencyData" && RunIdOf(e) == started.RunId).ToList();
        var names = spans.Select(e => BaseData(e).GetProperty("name").GetString()).ToList();
        names.ShouldContain("invoke_agent n1");
        names.ShouldContain("invoke_agent n2");
        names.ShouldContain("invoke_workflow azmon-seq");
        var first = BaseData(spans.First(e => BaseData(e).GetProperty("name").GetString() == "invoke_agent n1")).GetProperty("properties");
        first.GetProperty("warden.node.id").GetString().ShouldBe("n1");
        first.GetProperty("gen_ai.operation.name").GetString().ShouldBe("invoke_agent");
        first.GetProperty("warden.outcome").GetString().ShouldBe("succeeded");

        // Every span of the run shares the run's synthetic trace, so Application Insights shows one operation.
        spans.Select(e => e.GetProperty("tags").GetProperty("ai.operation.id").GetString()).Distinct()
            .ShouldHaveSingleItem().ShouldBe(WardenTelemetry.RunContext(started.RunId).TraceId.ToHexString());
        envelopes.Select(CloudRoleOf).ShouldContain("warden-azmon-test");

        var metrics = envelopes.Where(e => BaseType(e) == "MetricData").SelectMany(e => BaseData(e).GetProperty("metrics").EnumerateArray()).Select(m => m.GetProperty("name").GetString()).ToList();
        metrics.ShouldContain("warden.node.executions");
        metrics.ShouldContain("warden.runs.finished");
    }

    [Fact]
    public async Task Run_WithOtlpAndAzureMonitor_BothReceiveTheNodeSpans()
    {
        var otlp = new ConcurrentQueue<byte[]>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            otlp.Enqueue(body.ToArray());
            context.Response.ContentType = "application/x-protobuf";
        });
        await collector.StartAsync();
        var options = TelemetryOptions.FromEnvironment(name => name switch
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT" => collector.Urls.First(),
            "OTEL_EXPORTER_OTLP_PROTOCOL" => "http/protobuf",
            "APPLICATIONINSIGHTS_CONNECTION_STRING" => ConnectionString,
            _ => null,
        });

        string runId;
        await using (var warden = await TestWarden.StartAsync(configure: s => s.Telemetry = options))
        {
            await warden.UploadAsync(Graphs.Sequential(name: "both-seq", nodes: 1));
            var started = await warden.StartAsync("both-seq");
            runId = started.RunId;
            (await warden.WaitForEndAsync(started.RunId)).Status.ShouldBe("completed");
            warden.Services.GetRequiredService<TelemetrySetup>().ForceFlush().ShouldBeTrue();
        }

        otlp.ShouldContain(body => Contains(body, "invoke_agent n1") && Contains(body, runId));
        _received.SelectMany(r => Envelopes(r.Body)).Where(e => BaseType(e) == "RemoteDependencyData")
            .ShouldContain(e => BaseData(e).GetProperty("name").GetString() == "invoke_agent n1" && RunIdOf(e) == runId);
        await collector.StopAsync();
    }

    [Fact]
    public async Task Export_WithEntraAuthentication_SendsABearerTokenForTheMonitorScope()
    {
        // Bearer tokens are only sent over TLS, so this ingestion stand-in serves HTTPS.
        await using var tls = await FakeProviderServer.StartAsync(https: true);
        tls.Reply = ctx => FakeProviderServer.Respond(ctx, 200, """{"itemsReceived":1,"itemsAccepted":1,"errors":[]}""");
        using var http = tls.TrustingHttpClient();
        var options = TelemetryOptions.FromEnvironment(name => name switch
        {
            "APPLICATIONINSIGHTS_CONNECTION_STRING" => $"InstrumentationKey={InstrumentationKey};IngestionEndpoint={tls.BaseUrl}",
            "APPLICATIONINSIGHTS_AUTHENTICATION_STRING" => "ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD",
            _ => null,
        });
        options.AzureMonitor!.EntraId.ShouldBeTrue();
        options.AzureMonitor.ClientId.ShouldBe("11111111-2222-3333-4444-555555555555");
        var credential = new FixedCredential("entra-monitor-token");

        using (var setup = TelemetrySetup.Create(options, credential, o => o.Transport = new HttpClientTransport(http)))
        {
            using (var span = WardenTelemetry.Source.StartActivity("entra-probe"))
            {
                span.ShouldNotBeNull();
            }

            setup.ForceFlush().ShouldBeTrue();
        }

        var track = tls.Received.Where(r => r.Path.StartsWith("/v2.1/track", StringComparison.Ordinal)).ToList();
        track.ShouldNotBeEmpty();
        track.ShouldAllBe(r => r.Header("Authorization") == "Bearer entra-monitor-token");
        credential.Scopes.ShouldContain("https://monitor.azure.com//.default");
    }

    [Fact]
    public void Settings_ConnectionString_NeverAppearsInToStringOrErrors()
    {
        var secret = $"InstrumentationKey={InstrumentationKey};IngestionEndpoint=https://westeurope-1.in.applicationinsights.azure.com/";
        var settings = WardenSettings.FromEnvironment(name => name == "APPLICATIONINSIGHTS_CONNECTION_STRING" ? secret : null);

        settings.Telemetry.AzureMonitor!.ConnectionString.ShouldBe(secret);
        settings.Telemetry.ToString().ShouldNotContain(InstrumentationKey);
        settings.Telemetry.AzureMonitor.ToString().ShouldNotContain(InstrumentationKey);
        settings.Telemetry.AzureMonitor.ToString().ShouldContain("[redacted]");

        var bad = "InstrumentationKey=not-a-guid-" + InstrumentationKey;
        var ex = Should.Throw<ConfigurationException>(() => WardenSettings.FromEnvironment(name => name == "APPLICATIONINSIGHTS_CONNECTION_STRING" ? bad : null));
        ex.Message.ShouldContain("APPLICATIONINSIGHTS_CONNECTION_STRING");
        ex.Message.ShouldNotContain(InstrumentationKey);
    }

    [Theory]
    [InlineData("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "Authorization=Key")]
    [InlineData("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "ClientId=abc")]
    [InlineData("APPLICATIONINSIGHTS_CONNECTION_STRING", "InstrumentationKey=5a6b7c8d-1111-4222-8333-944455556666;IngestionEndpoint=ftp://x")]
    [InlineData("APPLICATIONINSIGHTS_CONNECTION_STRING", "just text")]
    public void BadSetting_FailsNamingTheVariable(string name, string value)
    {
        var ex = Should.Throw<ConfigurationException>(() => TelemetryOptions.FromEnvironment(n => n == name ? value
            : n == "APPLICATIONINSIGHTS_CONNECTION_STRING" ? $"InstrumentationKey={InstrumentationKey}" : null));

        ex.Message.ShouldContain(name);
    }

    [Fact]
    public void AuthenticationString_WithoutConnectionString_TurnsNothingOn()
    {
        var options = TelemetryOptions.FromEnvironment(n => n == "APPLICATIONINSIGHTS_AUTHENTICATION_STRING" ? "Authorization=AAD" : null);

        options.AzureMonitor.ShouldBeNull();
        options.Enabled.ShouldBeFalse();
    }

    private static bool Contains(byte[] haystack, string text) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private static string? CloudRoleOf(JsonElement envelope) =>
        envelope.TryGetProperty("tags", out var tags) && tags.TryGetProperty("ai.cloud.role", out var role) ? role.GetString() : null;

    private static string? RunIdOf(JsonElement envelope) =>
        BaseData(envelope).TryGetProperty("properties", out var properties) && properties.TryGetProperty("warden.run.id", out var id) ? id.GetString() : null;

    private static string? BaseType(JsonElement envelope) =>
        envelope.TryGetProperty("data", out var data) && data.TryGetProperty("baseType", out var type) ? type.GetString() : null;

    private static JsonElement BaseData(JsonElement envelope) => envelope.GetProperty("data").GetProperty("baseData");

    /// <summary>A track body: a JSON array of envelopes, or one envelope per line.</summary>
    private static List<JsonElement> Envelopes(string body)
    {
        var trimmed = body.TrimStart();
        if (trimmed.StartsWith('['))
        {
            return [.. JsonDocument.Parse(trimmed).RootElement.EnumerateArray().Select(e => e.Clone())];
        }

        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var raw = new MemoryStream();
        await request.Body.CopyToAsync(raw);
        raw.Position = 0;
        Stream content = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(raw, CompressionMode.Decompress)
            : raw;
        using var reader = new StreamReader(content, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    /// <summary>Stands in for the managed identity: no Entra tenant on a test machine.</summary>
    private sealed class FixedCredential(string token) : TokenCredential
    {
        public ConcurrentBag<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            foreach (var scope in requestContext.Scopes)
            {
                Scopes.Add(scope);
            }

            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}
