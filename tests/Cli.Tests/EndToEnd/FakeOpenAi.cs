using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>
/// A local server speaking OpenAI's chat-completions wire format, for the real `warden serve` process to call
/// through the OpenAI SDK. The test switches it between failing (500) and answering, optionally slowly.
/// </summary>
public sealed class FakeOpenAi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _prompts = new();
    private volatile bool _failing = true;
    private int _delayMs;

    private FakeOpenAi(WebApplication app) => _app = app;

    public string BaseUrl => _app.Urls.First() + "/v1";

    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    public int DelayMs
    {
        get => Volatile.Read(ref _delayMs);
        set => Volatile.Write(ref _delayMs, value);
    }

    /// <summary>Every request that reached the server, successful or not.</summary>
    public int Requests => _prompts.Count;

    /// <summary>The messages of every request, as the provider received them.</summary>
    public IReadOnlyList<string> Prompts => [.. _prompts];

    public static async Task<FakeOpenAi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var fake = new FakeOpenAi(app);
        app.MapPost("/v1/chat/completions", fake.HandleAsync);
        await app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var doc = await JsonDocument.ParseAsync(http.Request.Body);
        var model = doc.RootElement.GetProperty("model").GetString();
        _prompts.Enqueue(doc.RootElement.GetProperty("messages").ToString());
        if (DelayMs > 0)
        {
            await Task.Delay(DelayMs);
        }

        http.Response.ContentType = "application/json";
        if (Failing)
        {
            http.Response.StatusCode = 500;
            await http.Response.WriteAsync("""{"error":{"message":"upstream exploded","type":"server_error"}}""");
            return;
        }

        await http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-e2e",
            @object = "chat.completion",
            created = 1_760_000_000,
            model,
            choices = new[] { new { index = 0, message = new { role = "assistant", content = "VERDICT: pass\nall good" }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 120, completion_tokens = 30, total_tokens = 150 },
        }));
    }
}
