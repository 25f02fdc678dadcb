using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Telemetry;

/// <summary>
/// OTLP export settings: OTEL_EXPORTER_OTLP_ENDPOINT (export is off without it), OTEL_EXPORTER_OTLP_PROTOCOL
/// (<c>grpc</c>, the default, or <c>http/protobuf</c>) and OTEL_SERVICE_NAME (default <c>warden</c>), read through
/// the same function as every other setting (the environment, or the Functions host's configuration).
/// </summary>
public sealed record TelemetryOptions(Uri? Endpoint = null, OtlpExportProtocol Protocol = OtlpExportProtocol.Grpc, string ServiceName = "warden")
{
    public bool Enabled => Endpoint is not null;

    public static TelemetryOptions FromEnvironment(Func<string, string?> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var options = new TelemetryOptions();
        if (Value("OTEL_EXPORTER_OTLP_ENDPOINT") is { } endpoint)
        {
            options = options with
            {
                Endpoint = Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                    ? uri
                    : throw new ConfigurationException($"OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL, not '{endpoint}'"),
            };
        }

        if (Value("OTEL_EXPORTER_OTLP_PROTOCOL") is { } protocol)
        {
            options = options with
            {
                Protocol = protocol.ToLowerInvariant() switch
                {
                    "grpc" => OtlpExportProtocol.Grpc,
                    "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
                    _ => throw new ConfigurationException($"OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf, not '{protocol}'"),
                },
            };
        }

        if (Value("OTEL_SERVICE_NAME") is { } service)
        {
            options = options with { ServiceName = service };
        }

        return options;

        string? Value(string name) => read(name) is { Length: > 0 } v ? v.Trim() : null;
    }
}

/// <summary>
/// The tracer and meter providers that export Warden's spans and metrics over OTLP, built with the SDK builders
/// (no hosting package). Without an endpoint nothing is built: the "Warden" source has no listener and costs
/// next to nothing. Disposing flushes and shuts both providers down; the container does that with the host.
/// </summary>
public sealed class TelemetrySetup : IDisposable
{
    private TelemetrySetup(TracerProvider? tracer, MeterProvider? meter)
    {
        Tracer = tracer;
        Meter = meter;
    }

    public TracerProvider? Tracer { get; }

    public MeterProvider? Meter { get; }

    public static TelemetrySetup Create(TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoint is not { } endpoint)
        {
            return new TelemetrySetup(null, null);
        }

        var resource = ResourceBuilder.CreateEmpty().AddService(options.ServiceName);
        var tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(WardenTelemetry.Name)
            .AddOtlpExporter(o => Configure(o, endpoint, options.Protocol, "v1/traces"))
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(WardenTelemetry.Name)
            .AddOtlpExporter(o => Configure(o, endpoint, options.Protocol, "v1/metrics"))
            .Build();
        return new TelemetrySetup(tracer, meter);
    }

    /// <summary>Exports what is buffered now (tests, and before a short-lived process exits).</summary>
    public bool ForceFlush(int timeoutMilliseconds = 5000) =>
        (Tracer?.ForceFlush(timeoutMilliseconds) ?? true) & (Meter?.ForceFlush(timeoutMilliseconds) ?? true);

    public void Dispose()
    {
        Tracer?.Dispose();
        Meter?.Dispose();
    }

    /// <summary>
    /// An endpoint given in code is used as is, so for http/protobuf the signal path is appended here, as the
    /// OTLP specification does for OTEL_EXPORTER_OTLP_ENDPOINT; gRPC takes the base endpoint.
    /// </summary>
    private static void Configure(OtlpExporterOptions o, Uri endpoint, OtlpExportProtocol protocol, string signalPath)
    {
        o.Protocol = protocol;
        o.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath)
            : endpoint;
    }
}

/// <summary>Builds the telemetry providers when the host starts (so the first run is traced); the container disposes them.</summary>
public sealed class TelemetryHostedService(TelemetrySetup setup) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        setup.ForceFlush();
        return Task.CompletedTask;
    }
}
