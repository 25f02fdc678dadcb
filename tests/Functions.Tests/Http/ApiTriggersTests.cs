using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Functions.Http;
using Warden.Runtime.Api;
using Xunit;

namespace Warden.Functions.Tests.Http;

/// <summary>The Functions host serves the same API as Kestrel: every route of WardenApiRoutes has an HTTP trigger.</summary>
public sealed class ApiTriggersTests
{
    [Fact]
    public async Task ApiTriggers_EveryKestrelRoute_HasATriggerWithTheSameMethodAndRoute()
    {
        var builder = WebApplication.CreateSlimBuilder();

        // Registered so the route handlers bind it as a service; no handler runs here.
        builder.Services.AddSingleton<WardenApi>(_ => throw new InvalidOperationException("not called"));
        await using var app = builder.Build();
        app.MapWardenApi();
        var kestrel = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => Route(m, e.RoutePattern.RawText!)))
            .ToHashSet(StringComparer.Ordinal);
        var triggers = typeof(ApiTriggers).GetMethods()
            .SelectMany(m => m.GetParameters())
            .Select(p => p.GetCustomAttribute<HttpTriggerAttribute>())
            .OfType<HttpTriggerAttribute>()
            .SelectMany(t => t.Methods!.Select(m => Route(m, t.Route!)))
            .ToHashSet(StringComparer.Ordinal);

        kestrel.ShouldContain("GET api/v1/runs/{runId}/diff/{otherRunId}");
        kestrel.ShouldContain("GET api/v1/runs/{runId}/compliance");
        kestrel.ShouldContain("POST api/v1/runs/{runId}/replay");
        kestrel.ShouldContain("GET api/v1/runs/{runId}/recording");
        kestrel.ShouldContain("POST api/v1/recordings");
        kestrel.Except(triggers).ShouldBeEmpty();
    }

    /// <summary>"GET path" with no leading or trailing slash and no route constraints, the form both hosts can be compared in.</summary>
    private static string Route(string method, string pattern) =>
        method.ToUpperInvariant() + " " + System.Text.RegularExpressions.Regex.Replace(pattern, ":[a-z]+}", "}").Trim('/');
}
