using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Warden.Core.Runs;
using Warden.Core.Runs.Chaos;
using Warden.Runtime.Providers;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Tools;

/// <summary>
/// Calls a tenant's registered tool: POSTs {input, run_id, node_id} as JSON to its endpoint and takes the reply body
/// (at most 256 KiB) as the step's output. Failures are classified like provider failures so the decider's retries
/// apply to them the same way.
/// </summary>
public sealed class ToolInvoker(ICatalogStore catalog, HttpClient http)
{
    public const string ProviderName = "tool";
    private const int MaxReplyBytes = 256 * 1024;

    /// <summary>Tool actions a shadow run never carries out: they change something outside Warden.</summary>
    private static readonly string[] SideEffects = ["write", "external"];

    public async Task<string> InvokeAsync(NodeInvocation inv, CancellationToken ct)
    {
        var tool = await catalog.GetToolAsync(inv.TenantId, inv.Model, ct)
            ?? throw new LlmException($"tool '{inv.Model}' is not registered for this tenant", retryable: false);
        if (inv.Shadow && SideEffects.Contains(tool.ActionClass))
        {
            // A shadow run answers what it would have done: the call it would have made, not the call.
            return JsonSerializer.Serialize(new { dry_run = true, tool = tool.Name, action_class = tool.ActionClass, endpoint = tool.Endpoint, input = inv.Prompt });
        }

        if (tool.Endpoint is null)
        {
            throw new LlmException($"tool '{tool.Name}' has no endpoint to call", retryable: false);
        }

        await InjectChaosAsync(inv, tool.Name, ct);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(tool.Endpoint, new { input = inv.Prompt, run_id = inv.RunId, node_id = inv.NodeId }, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new LlmException($"tool '{tool.Name}' could not be reached: {ex.HttpRequestError}", retryable: true);
        }

        using (response)
        {
            var body = await ReadLimitedAsync(response.Content, ct);
            if (response.IsSuccessStatusCode)
            {
                return body;
            }

            var status = (int)response.StatusCode;
            var retryable = status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
            throw new LlmException($"tool '{tool.Name}' answered {status}", retryable, status, response.Headers.RetryAfter?.Delta);
        }
    }

    /// <summary>
    /// The run's chaos, where the tool's own fault would arise: a 503 answer (classified as the real one below would
    /// be), or no answer until the node's timeout cancels the call. Drawn from the seed and the attempt key.
    /// </summary>
    private static async Task InjectChaosAsync(NodeInvocation inv, string toolName, CancellationToken ct)
    {
        switch (ChaosPlan.ForToolCall(inv.Chaos, inv.Seed, inv.NodeId, inv.Visit, inv.Attempt))
        {
            case ChaosFault.Timeout:
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                break;
            case ChaosFault.ToolFailure:
                throw new LlmException($"tool '{toolName}' answered 503 (chaos: injected tool failure, tool_failure_rate={inv.Chaos!.ToolFailureRate})", retryable: true, statusCode: 503);
        }
    }

    private static async Task<string> ReadLimitedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxReplyBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }
}
