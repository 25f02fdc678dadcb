using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warden.Runtime.Api;

namespace Warden.Runtime.Hosting;

/// <summary>The Kestrel host: Warden's services, the shared API routes and the OpenAPI document.</summary>
public static class WardenWebHost
{
    /// <param name="environment">Where provider keys are read (see <see cref="WardenServices.AddWarden"/>); default: the process environment.</param>
    public static WebApplication Build(WardenSettings settings, TimeProvider? clock = null, LogLevel minimumLogLevel = LogLevel.Information, Func<string, string?>? environment = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(settings.Url);
        builder.Logging.SetMinimumLevel(minimumLogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddWarden(settings, clock, environment);
        builder.Services.AddOpenApi();

        var app = builder.Build();
        app.UseExceptionHandler(error => error.Run(http =>
        {
            var problem = http.Features.Get<IExceptionHandlerFeature>()?.Error;
            return (problem is BadHttpRequestException bad
                ? WardenApi.Error(bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", bad.Message)
                : WardenApi.Error(StatusCodes.Status500InternalServerError, "INTERNAL", "an unexpected error occurred; see the server log"))
                .ExecuteAsync(http);
        }));
        app.MapWardenApi();
        app.MapOpenApi();
        app.MapFallback((HttpContext http) => WardenApi.Error(StatusCodes.Status404NotFound, "NOT_FOUND", $"no route for {http.Request.Method} {http.Request.Path}"));
        return app;
    }
}
