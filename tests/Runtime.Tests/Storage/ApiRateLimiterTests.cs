using Shouldly;
using Warden.Core.Guardrails.RateLimit;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

/// <summary>The per-tenant API limit: in-process with the embedded store, in the database with PostgreSQL.</summary>
public abstract class ApiRateLimiterTests : StoreTestBase
{
    protected static readonly GuardrailOptions Options = new() { ApiRequestsPerMinute = 100 };

    // 10 seconds into a minute: the reset is 50 seconds away.
    protected ManualClock Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 10, TimeSpan.Zero));

    protected static async Task<List<RateLimitDecision>> AcquireAsync(IApiRateLimiter limiter, string tenant, int count)
    {
        var decisions = new List<RateLimitDecision>(count);
        for (var i = 0; i < count; i++)
        {
            decisions.Add(await limiter.AcquireAsync(tenant));
        }

        return decisions;
    }

    [Fact]
    public async Task Acquire_101stRequestInAMinute_RefusedWithRetryAfter()
    {
        // Arrange
        var limiter = Backend.RateLimiter(Options, Clock);

        // Act
        var decisions = await AcquireAsync(limiter, "t1", 101);

        // Assert
        decisions.Take(100).ShouldAllBe(d => d.Allowed);
        decisions.Take(100).Select(d => d.Remaining).ShouldBe(Enumerable.Range(0, 100).Reverse());
        var refused = decisions[100];
        refused.Allowed.ShouldBeFalse();
        (refused.Limit, refused.Remaining).ShouldBe((100, 0));
        refused.ResetAt.ShouldBe(new DateTimeOffset(2026, 3, 1, 12, 1, 0, TimeSpan.Zero));
        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(50) + TimeSpan.FromMilliseconds(600)); // the reset, then 1/100 of the next minute for this one to slide out
    }

    [Fact]
    public async Task Acquire_TenantAtItsLimit_OtherTenantsUnaffected()
    {
        // Arrange
        var limiter = Backend.RateLimiter(Options, Clock);
        await AcquireAsync(limiter, "t1", 100);

        // Act
        var t1 = await limiter.AcquireAsync("t1");
        var t2 = await limiter.AcquireAsync("t2");

        // Assert
        t1.Allowed.ShouldBeFalse();
        t2.Allowed.ShouldBeTrue();
        t2.Remaining.ShouldBe(99);
    }

    [Fact]
    public async Task Acquire_WindowSlidesOn_CapacityReturns()
    {
        // Arrange
        var limiter = Backend.RateLimiter(Options, Clock);
        await AcquireAsync(limiter, "t1", 100);

        // Act: half the next minute later, half of the previous minute's count has slid out
        Clock.Advance(TimeSpan.FromSeconds(80));
        var decisions = await AcquireAsync(limiter, "t1", 51);
        Clock.Advance(TimeSpan.FromMinutes(2));
        var muchLater = await limiter.AcquireAsync("t1");

        // Assert
        decisions.Take(50).ShouldAllBe(d => d.Allowed);
        decisions[50].Allowed.ShouldBeFalse();
        muchLater.Allowed.ShouldBeTrue();
        muchLater.Remaining.ShouldBe(99);
    }
}

public sealed class InProcessApiRateLimiterTests : ApiRateLimiterTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new SqliteBackend());
}

/// <summary>The limit every instance of a deployment shares through its store (PostgreSQL, Table Storage).</summary>
public abstract class SharedApiRateLimiterTests : ApiRateLimiterTests
{
    [Fact]
    public async Task Acquire_TwoInstancesAlternating_ShareOneLimit()
    {
        // Arrange: two instances on one store, as two server processes hold it
        await using var second = Backend.SecondInstance();
        var limiters = new[] { Backend.RateLimiter(Options, Clock), second.RateLimiter(Options, Clock) };

        // Act
        var decisions = new List<RateLimitDecision>();
        for (var i = 0; i < 101; i++)
        {
            decisions.Add(await limiters[i % 2].AcquireAsync("t1"));
        }

        // Assert
        decisions.Take(100).ShouldAllBe(d => d.Allowed);
        decisions[100].Allowed.ShouldBeFalse();
        decisions.Take(100).Select(d => d.Remaining).ShouldBe(Enumerable.Range(0, 100).Reverse());
    }

    [Fact]
    public async Task Acquire_TwoInstancesAtOnce_NeverAdmitMoreThanTheLimit()
    {
        // Arrange
        await using var second = Backend.SecondInstance();
        var limiters = new[] { Backend.RateLimiter(Options, Clock), second.RateLimiter(Options, Clock) };

        // Act: 8 concurrent callers, 20 requests each, over both instances
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(c => Task.Run(() => AcquireAsync(limiters[c % 2], "t1", 20))));

        // Assert
        results.SelectMany(r => r).Count(d => d.Allowed).ShouldBe(100);
        (await Backend.StoredApiRequestCountAsync("t1")).ShouldBe(100);
    }

    [Fact]
    public async Task Acquire_SecondInstanceClockBehind_WindowDoesNotMoveBack()
    {
        // Arrange: the second instance's clock runs a minute behind
        await using var second = Backend.SecondInstance();
        var behind = new ManualClock(Clock.GetUtcNow().AddMinutes(-1));
        await AcquireAsync(Backend.RateLimiter(Options, Clock), "t1", 100);

        // Act
        var late = await second.RateLimiter(Options, behind).AcquireAsync("t1");

        // Assert: it counts in the newest window seen instead of opening the old one afresh
        late.Allowed.ShouldBeFalse();
        (await Backend.StoredApiRequestCountAsync("t1")).ShouldBe(100);
    }
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresApiRateLimiterTests(PostgresServer server) : SharedApiRateLimiterTests
{
    protected override async Task<StoreBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync(server);
}

[Collection(AzuriteServer.Collection)]
public sealed class TablesApiRateLimiterTests(AzuriteServer azurite) : SharedApiRateLimiterTests
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(TablesBackend.Create(azurite));
}
