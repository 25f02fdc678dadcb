using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Telemetry;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Telemetry;

/// <summary>Spans exported over OTLP http/protobuf to a real collector stand-in: Kestrel on loopback.</summary>
public sealed class OtlpExportTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Path, string ContentType, byte[] Body)> _received = new();
    private WebApplication _collector = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _collector = builder.Build();
        _collector.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            _received.Enqueue((context.Request.Path, context.Request.ContentType ?? string.Empty, body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
        });
        await _collector.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _collector.StopAsync();
        await _collector.DisposeAsync();
    }

    [Fact]
    public async Task Run_WithOtlpEndpoint_ExportsNodeSpansAsProtobuf()
    {
        var endpoint = _collector.Urls.First();
        var options = TelemetryOptions.FromEnvironment(name => name switch
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT" => endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL" => "http/protobuf",
            "OTEL_SERVICE_NAME" => "warden-otlp-test",
            _ => null,
        });
        options.Protocol.ShouldBe(OtlpExportProtocol.HttpProtobuf);

        await using var warden = await TestWarden.StartAsync(configure: s => s.Telemetry = options);
        await warden.UploadAsync(Graphs.Sequential(name: "otlp-seq", nodes: 1));
        var started = await warden.StartAsync("otlp-seq");
        (await warden.WaitForEndAsync(started.RunId)).Status.ShouldBe("completed");

        warden.Services.GetRequiredService<TelemetrySetup>().ForceFlush().ShouldBeTrue();

        var traces = _received.Where(r => r.Path == "/v1/traces").ToList();
        traces.ShouldNotBeEmpty();
        traces.ShouldAllBe(t => t.ContentType.StartsWith("application/x-protobuf", StringComparison.Ordinal));
        var bytes = traces.SelectMany(t => t.Body).ToArray();
        bytes.Length.ShouldBeGreaterThan(0);
        Contains(bytes, "invoke_agent n1").ShouldBeTrue();
        Contains(bytes, "Warden").ShouldBeTrue();
        Contains(bytes, "warden-otlp-test").ShouldBeTrue();
        Contains(bytes, started.RunId).ShouldBeTrue();
        _received.ShouldContain(r => r.Path == "/v1/metrics" && Contains(r.Body, "warden.tokens"));
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "not a url")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")]
    public void BadSetting_FailsNamingTheVariable(string name, string value)
    {
        var ex = Should.Throw<ConfigurationException>(() => WardenSettings.FromEnvironment(n => n == name ? value : n == "OTEL_EXPORTER_OTLP_ENDPOINT" ? "http://127.0.0.1:4318" : null));
        ex.Message.ShouldContain(name);
    }

    [Fact]
    public void NoEndpoint_BuildsNoProviders()
    {
        using var setup = TelemetrySetup.Create(WardenSettings.FromEnvironment(_ => null).Telemetry);
        setup.Tracer.ShouldBeNull();
        setup.Meter.ShouldBeNull();
    }

    private static bool Contains(byte[] haystack, string text) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
