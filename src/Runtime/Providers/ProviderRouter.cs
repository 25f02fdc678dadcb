using System.Diagnostics;
using Polly;
using Polly.Retry;
using Warden.Core.Costs;
using Warden.Core.Runs;
using Warden.Runtime.Telemetry;

namespace Warden.Runtime.Providers;

/// <summary>
/// Calls a step's admitted providers in order: each gets a few retries with exponential backoff and full jitter
/// (honouring a 429's Retry-After) for retryable failures, then the next candidate (another region, then
/// another provider) takes over. Every call is recorded for the breakers, usage and the node's result.
/// </summary>
public sealed class ProviderRouter
{
    private readonly ProviderRegistry _providers;
    private readonly PriceTable _prices;
    private readonly ResiliencePipeline _retry;

    public ProviderRouter(ProviderRegistry providers, PriceTable prices, TimeProvider clock, int retriesPerProvider = 2)
    {
        _providers = providers;
        _prices = prices;
        _retry = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<LlmException>(e => e.Retryable),
                MaxRetryAttempts = Math.Max(1, retriesPerProvider),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is LlmException { RetryAfter: { } wait } && wait <= TimeSpan.FromSeconds(30) ? wait : (TimeSpan?)null),
            })
            .Build();
        RetriesPerProvider = retriesPerProvider;
    }

    public int RetriesPerProvider { get; }

    public async Task<RouteResult> CallAsync(NodeInvocation inv, CancellationToken ct)
    {
        var calls = new List<ProviderCall>();
        LlmException? last = null;
        foreach (var choice in inv.Candidates)
        {
            ILlmClient client;
            try
            {
                client = _providers.Resolve(choice.Provider, choice.Region);
            }
            catch (LlmException ex)
            {
                calls.Add(new ProviderCall(choice.Provider, choice.Model, choice.Region, false, false, ex.Message, 0, Usage.Zero));
                last = ex;
                continue;
            }

            try
            {
                var pipeline = client.RetryInCall && RetriesPerProvider > 0 ? _retry : ResiliencePipeline.Empty;
                var response = await pipeline.ExecuteAsync(token => CallOnceAsync(client, choice.Model, inv, calls, token), ct);
                return new RouteResult(response, client.Name, client.Region, calls);
            }
            catch (LlmException ex)
            {
                last = ex;
            }
        }

        return new RouteResult(null, null, null, calls, last ?? new LlmException("the node has no provider to call", retryable: false));
    }

    private async ValueTask<LlmResponse> CallOnceAsync(ILlmClient client, string model, NodeInvocation inv, List<ProviderCall> calls, CancellationToken ct)
    {
        // One GenAI client span per call (a child of the node's span); no prompt or reply text becomes an attribute.
        using var activity = WardenTelemetry.StartProviderCall(client.Name, client.Region, model, inv);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await client.CompleteAsync(new LlmRequest(model, inv.Role, inv.Prompt, inv), ct);
            var usage = _prices.Price(response.Model, response.InputTokens, response.OutputTokens);
            calls.Add(new ProviderCall(client.Name, response.Model, client.Region, true, false, null, Elapsed(started), usage));
            WardenTelemetry.ProviderCallEnded(activity, client.Name, model, response.Model, inv.TenantId, usage, Stopwatch.GetElapsedTime(started).TotalSeconds, errorType: null);
            return response;
        }
        catch (LlmException ex)
        {
            calls.Add(new ProviderCall(client.Name, model, client.Region, false, ex.Retryable, ex.Message, Elapsed(started), Usage.Zero));
            WardenTelemetry.ProviderCallEnded(activity, client.Name, model, model, inv.TenantId, Usage.Zero, Stopwatch.GetElapsedTime(started).TotalSeconds, ex.Retryable ? "retryable" : "failed");
            throw;
        }
    }

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

/// <summary>What the router got: a response (or the last failure) and every call it made on the way.</summary>
public sealed record RouteResult(LlmResponse? Response, string? Provider, string? Region, IReadOnlyList<ProviderCall> Calls, LlmException? Failure = null);
