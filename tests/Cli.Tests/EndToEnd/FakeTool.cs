using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>A tool endpoint on loopback: answers every POST with a fixed JSON body and keeps what it received.</summary>
public sealed class FakeTool : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _bodies = new();

    private FakeTool(WebApplication app) => _app = app;

    public string Url => _app.Urls.First() + "/tool";

    public IReadOnlyList<string> Bodies => [.. _bodies];

    public static async Task<FakeTool> StartAsync(string reply)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var fake = new FakeTool(app);
        app.MapPost("/tool", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            fake._bodies.Enqueue(await reader.ReadToEndAsync());
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(reply);
        });
        await app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
