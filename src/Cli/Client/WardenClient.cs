using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Warden.Cli.Client;

/// <summary>The API as the CLI uses it, against a remote server or the in-process one.</summary>
public sealed class WardenClient(HttpClient http, string apiKey) : IDisposable
{
    public Uri BaseAddress => http.BaseAddress!;

    public static WardenClient Create(string baseUrl, string apiKey) =>
        new(new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(150) }, apiKey);

    public WardenClient WithKey(string key) => new(http, key);

    public Task<JsonElement> UploadGraphAsync(string yaml, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "api/v1/graphs", new StringContent(yaml, Encoding.UTF8, "application/yaml"), ct);

    /// <param name="options">More start-run fields (mock, chaos, replay, tags) as a JSON object, or null.</param>
    public Task<JsonElement> StartRunAsync(string graphId, string inputJson, long? seed, CancellationToken ct, long? version = null, JsonObject? options = null)
    {
        var body = options?.DeepClone().AsObject() ?? [];
        body["input"] = JsonNode.Parse(inputJson);
        if (seed is not null)
        {
            body["seed"] = seed;
        }

        if (version is not null)
        {
            body["version"] = version;
        }

        return SendAsync(HttpMethod.Post, $"api/v1/graphs/{Uri.EscapeDataString(graphId)}/runs", Json(body.ToJsonString()), ct);
    }

    public Task<JsonElement> GetGraphVersionAsync(string graphId, long version, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"api/v1/graphs/{Uri.EscapeDataString(graphId)}/versions/{version}", null, ct);

    public Task<JsonElement> UploadRecordingAsync(string json, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "api/v1/recordings", Json(json), ct);

    public Task<JsonElement> GetRecordingAsync(string runId, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"api/v1/runs/{Uri.EscapeDataString(runId)}/recording", null, ct);

    /// <param name="body">The replay request: {mode, version?, on_miss?, wait_seconds?}.</param>
    public Task<JsonElement> ReplayRunAsync(string runId, JsonObject body, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"api/v1/runs/{Uri.EscapeDataString(runId)}/replay", Json(body.ToJsonString()), ct);

    public Task<JsonElement> GetRunAsync(string runId, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"api/v1/runs/{Uri.EscapeDataString(runId)}", null, ct);

    public Task<JsonElement> ListRunsAsync(string? graphId, string? status, int limit, CancellationToken ct)
    {
        var query = $"api/v1/runs?limit={limit}" + (graphId is null ? string.Empty : $"&graph_id={Uri.EscapeDataString(graphId)}") + (status is null ? string.Empty : $"&status={Uri.EscapeDataString(status)}");
        return SendAsync(HttpMethod.Get, query, null, ct);
    }

    public Task<JsonElement> GetEventsAsync(string runId, long after, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"api/v1/runs/{Uri.EscapeDataString(runId)}/events?after={after}&limit=1000", null, ct);

    public Task<JsonElement> DiffRunsAsync(string runA, string runB, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"api/v1/runs/{Uri.EscapeDataString(runA)}/diff/{Uri.EscapeDataString(runB)}", null, ct);

    public Task<JsonElement> ListReleasesAsync(string graphId, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"api/v1/graphs/{Uri.EscapeDataString(graphId)}/releases", null, ct);

    public Task<JsonElement> ListSnapshotsAsync(string graphId, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"api/v1/graphs/{Uri.EscapeDataString(graphId)}/snapshots", null, ct);

    public Task<JsonElement> ReleaseAsync(string graphId, long? version, string? snapshot, string channel, string? reason, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"api/v1/graphs/{Uri.EscapeDataString(graphId)}/releases", Json(JsonSerializer.Serialize(new { version, snapshot, channel, reason })), ct);

    public Task<JsonElement> EvaluateGuardAsync(string graphId, long version, string environment, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "api/v1/releases/guard", Json(JsonSerializer.Serialize(new { graph = graphId, version, environment })), ct);

    public Task<JsonElement> RollbackAsync(string graphId, string? to, string? reason, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"api/v1/graphs/{Uri.EscapeDataString(graphId)}/rollback", Json(JsonSerializer.Serialize(new { to, reason })), ct);

    public Task<JsonElement> GetUsageAsync(string groupBy, DateTimeOffset since, DateTimeOffset until, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"api/v1/usage?group_by={groupBy}&from={Uri.EscapeDataString(since.ToString("O"))}&to={Uri.EscapeDataString(until.ToString("O"))}", null, ct);

    public Task<JsonElement> ListApprovalsAsync(CancellationToken ct) =>
        SendAsync(HttpMethod.Get, "api/v1/approvals", null, ct);

    public Task<JsonElement> DecideAsync(string approvalId, bool approve, string? comment, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"api/v1/approvals/{Uri.EscapeDataString(approvalId)}/decision", Json(JsonSerializer.Serialize(new { decision = approve ? "approve" : "reject", comment })), ct);

    public Task<JsonElement> JudgeAsync(string rubric, string output, string? provider, string? model, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "api/v1/evals/judge", Json(JsonSerializer.Serialize(new { rubric, output, provider, model })), ct);

    public Task<JsonElement> ListAuditAsync(string? action, string? actor, string? target, int limit, CancellationToken ct)
    {
        var query = $"api/v1/audit?limit={limit}"
            + (action is null ? string.Empty : $"&action={Uri.EscapeDataString(action)}")
            + (actor is null ? string.Empty : $"&actor={Uri.EscapeDataString(actor)}")
            + (target is null ? string.Empty : $"&target={Uri.EscapeDataString(target)}");
        return SendAsync(HttpMethod.Get, query, null, ct);
    }

    public Task<JsonElement> VerifyAuditAsync(CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "api/v1/audit/verify", null, ct);

    /// <summary>
    /// The run's timeline live (Server-Sent Events): one request per run instead of a poll loop, so following many
    /// runs stays inside the tenant's API rate limit. Ends when the server sends its end event.
    /// </summary>
    public async IAsyncEnumerable<JsonElement> StreamEventsAsync(string runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/runs/{Uri.EscapeDataString(runId)}/stream");
        request.Headers.Add("X-API-Key", apiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"{(int)response.StatusCode} from the stream of {runId}: {await response.Content.ReadAsStringAsync(ct)}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        string? type = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                if (type == "end")
                {
                    yield break;
                }

                yield return JsonDocument.Parse(line[6..]).RootElement.Clone();
            }
        }
    }

    public void Dispose() => http.Dispose();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-API-Key", apiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"cannot reach Warden at {http.BaseAddress}: {ex.Message}");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonElement body;
            try
            {
                body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new CliException($"{(int)response.StatusCode} from {path}: {text}");
            }

            if (!response.IsSuccessStatusCode)
            {
                var code = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error_code", out var c) ? c.GetString() : response.StatusCode.ToString();
                var message = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("message", out var m) ? m.GetString() : text;
                var details = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Array
                    ? string.Concat(d.EnumerateArray().Select(e => "\n  - " + Describe(e)))
                    : string.Empty;
                throw new CliException($"{code}: {message}{details}");
            }

            return body;
        }
    }

    private static string Describe(JsonElement detail) =>
        detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("message", out var m)
            ? (detail.TryGetProperty("line", out var l) && l.ValueKind == JsonValueKind.Number ? $"line {l}, column {detail.GetProperty("column")}: " : string.Empty) + m.GetString()
            : detail.ToString();
}

/// <summary>A problem the user can fix; printed as one line, with a non-zero exit code.</summary>
public sealed class CliException : Exception
{
    public CliException(string message, int exitCode = 1)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = 1;
}
