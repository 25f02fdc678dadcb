using System.Diagnostics;
using Polly;
using Polly.Retry;
using Warden.Core.Costs;
using Warden.Core.Runs;
using Warden.Core.Runs.Chaos;
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
    private readonly ResiliencePipeline _chaosRetry;
    private readonly TimeProvider _clock;

    // The exceptions chaos raised in the call in progress, so the chaos pipeline retries those and only those.
    private readonly AsyncLocal<HashSet<LlmException>?> _chaosFaults = new();

    public ProviderRouter(ProviderRegistry providers, PriceTable prices, TimeProvider clock, int retriesPerProvider = 2)
    {
        _providers = providers;
        _prices = prices;
        _clock = clock;
        _retry = Retry(clock, retriesPerProvider, e => e.Retryable);

        // A client that scripts its own failures per attempt (the mock) is not retried in the call, but the faults a
        // run's chaos injects differ call by call: those get the same retries, backoff and Retry-After a real 429 gets.
        _chaosRetry = Retry(clock, retriesPerProvider, e => e.Retryable && _chaosFaults.Value?.Contains(e) == true);
        RetriesPerProvider = retriesPerProvider;
    }

    public int RetriesPerProvider { get; }

    public async Task<RouteResult> CallAsync(NodeInvocation inv, CancellationToken ct)
    {
        var calls = new List<ProviderCall>();
        LlmException? last = null;
        _chaosFaults.Value = inv.Chaos is null ? null : new HashSet<LlmException>(ReferenceEqualityComparer.Instance);
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
                var pipeline = RetriesPerProvider <= 0 ? ResiliencePipeline.Empty
                    : client.RetryInCall ? _retry
                    : ChaosPlan.FaultsProviderCalls(inv.Chaos) ? _chaosRetry
                    : ResiliencePipeline.Empty;
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
            await InjectChaosAsync(client, inv, calls.Count + 1, ct);
            var response = await client.CompleteAsync(new LlmRequest(model, inv.Role, inv.Prompt, inv), ct);
            var usage = _prices.Price(response.Model, response.InputTokens, response.OutputTokens);
            calls.Add(new ProviderCall(client.Name, response.Model, client.Region, true, false, null, Elapsed(started), usage));
            WardenTelemetry.ProviderCallEnded(activity, client.Name, model, response.Model, inv.TenantId, usage, Stopwatch.GetElapsedTime(started).TotalSeconds, errorType: null);
            return response;
        }
        catch (LlmException ex)
        {
            var injected = _chaosFaults.Value?.Contains(ex) == true;
            calls.Add(new ProviderCall(client.Name, model, client.Region, false, ex.Retryable, ex.Message, Elapsed(started), Usage.Zero, injected));
            WardenTelemetry.ProviderCallEnded(activity, client.Name, model, model, inv.TenantId, Usage.Zero, Stopwatch.GetElapsedTime(started).TotalSeconds, ex.Retryable ? "retryable" : "failed");
            throw;
        }
    }

    /// <summary>
    /// The run's chaos, where a provider's own fault would arise: a 503 or a 429 with Retry-After raised as the
    /// adapters raise them (so the retries, fallbacks and usage rows treat them alike), or a call that never answers
    /// until the node's timeout cancels it. Drawn from the seed and the attempt key, so a replay draws the same.
    /// </summary>
    private async Task InjectChaosAsync(ILlmClient client, NodeInvocation inv, int call, CancellationToken ct)
    {
        if (inv.Chaos is not { } chaos)
        {
            return;
        }

        switch (ChaosPlan.ForProviderCall(chaos, inv.Seed, inv.NodeId, inv.Visit, inv.Attempt, call))
        {
            case ChaosFault.Timeout:
                await Task.Delay(Timeout.InfiniteTimeSpan, _clock, ct);
                break;
            case ChaosFault.ProviderError:
                throw Injected(new LlmException($"{client.Name}: HTTP 503: chaos: injected provider error (provider_error_rate={chaos.ProviderErrorRate})", retryable: true, statusCode: 503));
            case ChaosFault.RateLimited:
                var wait = ChaosPlan.RetryAfter(chaos);
                throw Injected(new LlmException($"{client.Name}: HTTP 429: chaos: injected rate limit, retry after {wait.TotalMilliseconds:0} ms (rate_limit_rate={chaos.RateLimitRate})", retryable: true, statusCode: 429, retryAfter: wait));
        }
    }

    private LlmException Injected(LlmException ex)
    {
        _chaosFaults.Value?.Add(ex);
        return ex;
    }

    private static ResiliencePipeline Retry(TimeProvider clock, int retries, Func<LlmException, bool> handles) =>
        new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle(handles),
                MaxRetryAttempts = Math.Max(1, retries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is LlmException { RetryAfter: { } wait } && wait <= TimeSpan.FromSeconds(30) ? wait : (TimeSpan?)null),
            })
            .Build();

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

/// <summary>What the router got: a response (or the last failure) and every call it made on the way.</summary>
public sealed record RouteResult(LlmResponse? Response, string? Provider, string? Region, IReadOnlyList<ProviderCall> Calls, LlmException? Failure = null);
