using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Telemetry;

/// <summary>
/// Export settings, read through the same function as every other setting (the environment, or the Functions host's
/// configuration). OTLP: OTEL_EXPORTER_OTLP_ENDPOINT (OTLP export is off without it) and OTEL_EXPORTER_OTLP_PROTOCOL
/// (<c>grpc</c>, the default, or <c>http/protobuf</c>). Azure Monitor: APPLICATIONINSIGHTS_CONNECTION_STRING and
/// APPLICATIONINSIGHTS_AUTHENTICATION_STRING (see <see cref="AzureMonitorOptions"/>). Either, both or neither may be
/// on; both export the same spans and metrics. OTEL_SERVICE_NAME (default <c>warden</c>) names the service in both
/// (Application Insights shows it as the cloud role).
/// </summary>
public sealed record TelemetryOptions(Uri? Endpoint = null, OtlpExportProtocol Protocol = OtlpExportProtocol.Grpc, string ServiceName = "warden", AzureMonitorOptions? AzureMonitor = null)
{
    public bool Enabled => Endpoint is not null || AzureMonitor is not null;

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

        return options with { AzureMonitor = AzureMonitorOptions.FromEnvironment(read) };

        string? Value(string name) => read(name) is { Length: > 0 } v ? v.Trim() : null;
    }
}

/// <summary>
/// The tracer and meter providers that export Warden's spans and metrics over OTLP and/or to Azure Monitor, built with
/// the SDK builders. With neither configured nothing is built: the "Warden" source has no listener and costs next to
/// nothing. Both exporters hang off the same two providers, so they see the same spans and measurements. Disposing
/// flushes and shuts both providers down; the container does that with the host.
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

    public static TelemetrySetup Create(TelemetryOptions options) => Create(options, azureMonitorCredential: null, configureAzureMonitor: null);

    /// <param name="azureMonitorCredential">Replaces the Entra credential of <see cref="AzureMonitorOptions.Credential"/> (tests).</param>
    /// <param name="configureAzureMonitor">Runs last on the Azure Monitor exporter options, e.g. a test transport.</param>
    internal static TelemetrySetup Create(TelemetryOptions options, TokenCredential? azureMonitorCredential, Action<AzureMonitorExporterOptions>? configureAzureMonitor)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return new TelemetrySetup(null, null);
        }

        var resource = ResourceBuilder.CreateEmpty().AddService(options.ServiceName);
        var tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(WardenTelemetry.Name);
        var meter = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(WardenTelemetry.Name);
        if (options.Endpoint is { } endpoint)
        {
            tracer.AddOtlpExporter(o => Configure(o, endpoint, options.Protocol, "v1/traces"));
            meter.AddOtlpExporter(o => Configure(o, endpoint, options.Protocol, "v1/metrics"));
        }

        if (options.AzureMonitor is { } azure)
        {
            var credential = azure.EntraId ? azureMonitorCredential ?? azure.Credential() : null;
            tracer.AddAzureMonitorTraceExporter(o => Configure(o, azure, credential, configureAzureMonitor));
            meter.AddAzureMonitorMetricExporter(o => Configure(o, azure, credential, configureAzureMonitor));
        }

        return new TelemetrySetup(tracer.Build(), meter.Build());
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

    /// <summary>
    /// The exporter's trace extension also sets the provider's sampler, and its default caps traces at 5 per second for
    /// the whole provider, OTLP included. Warden keeps every span (a run's spans share one trace, and a capped trace loses
    /// node spans at random), so the sampler is the exporter's ratio sampler at 1. Live Metrics is off: it polls the
    /// service every second from every instance and shows request rates Warden's own spans do not carry.
    /// </summary>
    private static void Configure(AzureMonitorExporterOptions o, AzureMonitorOptions azure, TokenCredential? credential, Action<AzureMonitorExporterOptions>? configure)
    {
        o.ConnectionString = azure.ConnectionString;
        o.Credential = credential;
        o.SamplingRatio = 1f;
        o.TracesPerSecond = null;
        o.EnableLiveMetrics = false;
        configure?.Invoke(o);
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
