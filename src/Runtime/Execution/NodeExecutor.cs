using System.Diagnostics;
using Warden.Core.Costs;
using Warden.Core.Runs;
using Warden.Runtime.Providers;

namespace Warden.Runtime.Execution;

/// <summary>The outcome of one attempt as the decider sees it, plus what it cost to find out.</summary>
public sealed record NodeExecution(RunEvent Event, string Provider, string Model, Usage Usage, long LatencyMs);

/// <summary>
/// What one agent step does, shared by both hosts (the embedded worker pool and the Durable activity):
/// call the node's provider, price the tokens, and turn any failure into a classified <see cref="NodeFailed"/>.
/// </summary>
public sealed class NodeExecutor(ProviderRegistry providers, PriceTable prices)
{
    public async Task<NodeExecution> ExecuteAsync(NodeInvocation inv, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(inv.Timeout);
        try
        {
            var client = providers.Resolve(inv.Provider);
            var response = await client.CompleteAsync(new LlmRequest(inv.Model, inv.Role, inv.Prompt, inv), timeout.Token);
            var usage = prices.Price(response.Model, response.InputTokens, response.OutputTokens);
            var latency = Elapsed(started);
            return new NodeExecution(
                new NodeSucceeded(inv.NodeId, inv.Visit, inv.Attempt, response.Text, usage, client.Name, response.Model, latency),
                client.Name,
                response.Model,
                usage,
                latency);
        }
        catch (LlmException ex)
        {
            return Failed(inv, ex.Message, ex.Retryable, started);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed(inv, $"provider call timed out after {inv.Timeout.TotalSeconds:0.###}s", retryable: true, started);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(inv, $"{ex.GetType().Name}: {ex.Message}", retryable: true, started);
        }
    }

    private static NodeExecution Failed(NodeInvocation inv, string error, bool retryable, long started) =>
        new(new NodeFailed(inv.NodeId, inv.Visit, inv.Attempt, error, retryable), inv.Provider, inv.Model, Usage.Zero, Elapsed(started));

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
