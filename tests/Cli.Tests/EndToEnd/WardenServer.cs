using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shouldly;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>A `warden serve` process on a free loopback port with an HTTP client holding its admin key.</summary>
public sealed class WardenServer : IDisposable
{
    public const string Key = "e2e-admin-key";

    private WardenServer(WardenProcess process, HttpClient http)
    {
        Process = process;
        Http = http;
    }

    public WardenProcess Process { get; }

    public HttpClient Http { get; }

    public static async Task<WardenServer> StartAsync(string dataDirectory, IDictionary<string, string>? environment = null, int? port = null)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["WARDEN_BOOTSTRAP_API_KEY"] = Key,
            ["WARDEN_DATA_DIR"] = dataDirectory,
        };
        var actualPort = port ?? WardenProcess.FreePort();
        var process = WardenProcess.Start(env, "serve", "--urls", $"http://127.0.0.1:{actualPort}");
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{actualPort}"), Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Add("X-API-Key", Key);
        var server = new WardenServer(process, http);
        await server.WaitHealthyAsync();
        return server;
    }

    public int Port => Http.BaseAddress!.Port;

    public async Task UploadAsync(string yaml) =>
        (await Http.PostAsync("/api/v1/graphs", new StringContent(yaml, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();

    public async Task<string> StartRunAsync(string graphId, string body = """{"input":{"task":"x"}}""")
    {
        var response = await Http.PostAsync($"/api/v1/graphs/{graphId}/runs", new StringContent(body, Encoding.UTF8, "application/json"));
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.IsSuccessStatusCode.ShouldBeTrue(json.ToString());
        return json.GetProperty("run_id").GetString()!;
    }

    public async Task<JsonElement> WaitForAsync(string runId, Func<JsonElement, bool> condition, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        JsonElement run = default;
        while (DateTime.UtcNow < deadline)
        {
            run = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}");
            if (condition(run))
            {
                return run;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"run {runId} did not reach the expected state: {run}\n{Process.Output}");
    }

    public Task<JsonElement> WaitForEndAsync(string runId, int timeoutSeconds = 30) =>
        WaitForAsync(runId, run => run.GetProperty("status").GetString() is "completed" or "failed" or "stopped", timeoutSeconds);

    public static string? NodeStatus(JsonElement run, string node) =>
        run.GetProperty("nodes").EnumerateArray().First(n => n.GetProperty("node_id").GetString() == node).GetProperty("status").GetString();

    public void Kill() => Process.KillHard();

    public void Dispose()
    {
        Http.Dispose();
        Process.Dispose();
    }

    private async Task WaitHealthyAsync()
    {
        for (var i = 0; i < 300; i++)
        {
            Process.HasExited.ShouldBeFalse($"warden serve exited early:\n{Process.Output}");
            try
            {
                if ((await Http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"warden serve did not become healthy:\n{Process.Output}");
    }
}
