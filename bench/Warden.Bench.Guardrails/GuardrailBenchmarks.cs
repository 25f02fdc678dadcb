using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Polly;
using Polly.CircuitBreaker;
using Warden.Core.Guardrails.CircuitBreaker;
using Warden.Core.Guardrails.RateLimit;

namespace Warden.Bench.Guardrails;

/// <summary>
/// The per-call cost of Warden's guardrail checks next to what Polly v8 users get, on the path every call takes:
/// a closed breaker whose calls succeed, and a rate limit so high it always admits. Warden's state machines are pure,
/// so a caller has to read the clock and keep the state; the benchmarks do both (and, separately, show the cost with
/// the time passed in). Polly's circuit breaker reads the clock itself.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class GuardrailBenchmarks : IDisposable
{
    public const string Breaker = "Circuit breaker, success path";
    public const string RateLimit = "Sliding-window rate limit, admitted";

    /// <summary>A synthetic clock step for the "time passed in" variants: windows still roll, every 100,000 calls per second of window.</summary>
    private const long TickStep = 100;

    private static readonly TimeProvider Clock = TimeProvider.System;

    private readonly CircuitBreakerOptions _breakerOptions = CircuitBreakerOptions.Default;

    // The limit is never reached: a 1 s window admits at most ~10^8 calls at these speeds.
    private readonly RateLimitOptions _rateOptions = new(int.MaxValue, TimeSpan.FromSeconds(1));

    private ResiliencePipeline _polly = ResiliencePipeline.Empty;
    private SlidingWindowRateLimiter? _limiter;
    private CircuitBreakerState _breaker = CircuitBreakerState.Closed;
    private SlidingWindowState _window = SlidingWindowState.Empty;
    private long _syntheticTicks;
    private long _refused;

    [GlobalSetup]
    public void Setup()
    {
        _polly = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                // Warden's defaults where Polly has the same knob (Polly has no consecutive-failure trigger).
                FailureRatio = _breakerOptions.FailureRatio,
                MinimumThroughput = _breakerOptions.MinimumThroughput,
                SamplingDuration = _breakerOptions.SamplingWindow,
                BreakDuration = _breakerOptions.BreakDuration,
            })
            .Build();
        _limiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = int.MaxValue,
            Window = TimeSpan.FromSeconds(1),
            SegmentsPerWindow = 10,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        _breaker = CircuitBreakerState.Closed;
        _window = SlidingWindowState.Empty;
        _syntheticTicks = Clock.GetUtcNow().UtcTicks;
        _refused = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Dispose();
        if (_refused > 0)
        {
            throw new InvalidOperationException($"{_refused} calls were refused; the benchmarks measure the admitted path only");
        }
    }

    public void Dispose()
    {
        _limiter?.Dispose();
        _limiter = null;
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Breaker)]
    public void PollyCircuitBreaker() => _polly.Execute(static () => { });

    [Benchmark]
    [BenchmarkCategory(Breaker)]
    public bool WardenBreaker() => CheckAndSucceed(Clock.GetUtcNow());

    [Benchmark]
    [BenchmarkCategory(Breaker)]
    public bool WardenBreakerTimePassedIn() => CheckAndSucceed(new DateTimeOffset(_syntheticTicks += TickStep, TimeSpan.Zero));

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(RateLimit)]
    public bool RuntimeSlidingWindowRateLimiter()
    {
        using var lease = _limiter!.AttemptAcquire(1);
        return Count(lease.IsAcquired);
    }

    [Benchmark]
    [BenchmarkCategory(RateLimit)]
    public bool WardenSlidingWindow() => Acquire(Clock.GetUtcNow());

    [Benchmark]
    [BenchmarkCategory(RateLimit)]
    public bool WardenSlidingWindowTimePassedIn() => Acquire(new DateTimeOffset(_syntheticTicks += TickStep, TimeSpan.Zero));

    /// <summary>What a caller does around one successful call: may I call? (yes) ... it succeeded.</summary>
    private bool CheckAndSucceed(DateTimeOffset now)
    {
        var (state, check) = CircuitBreakerTransitions.Apply(_breaker, BreakerOperation.Check, now, _breakerOptions);
        if (check.Allowed)
        {
            (state, _) = CircuitBreakerTransitions.Apply(state, BreakerOperation.Success, now, _breakerOptions);
        }

        _breaker = state;
        return Count(check.Allowed);
    }

    private bool Acquire(DateTimeOffset now)
    {
        (_window, var decision) = SlidingWindow.TryAcquire(_window, now, _rateOptions);
        return Count(decision.Allowed);
    }

    private bool Count(bool allowed)
    {
        if (!allowed)
        {
            _refused++;
        }

        return allowed;
    }
}
