using Dapper;
using Warden.Core.Guardrails.RateLimit;
using Warden.Runtime.Guardrails;

namespace Warden.Runtime.Storage.Postgres;

/// <summary>
/// The per-tenant API limit shared by every instance on one PostgreSQL database: Core's sliding window, its state a row
/// per tenant, read under the row's lock (SELECT ... FOR UPDATE), advanced with <see cref="SlidingWindow.TryAcquire"/>
/// and written back in the same transaction, so two instances never both spend the last permit. Each instance passes
/// its own clock; the window does not move back for one that runs behind.
/// </summary>
public sealed class PostgresApiRateLimiter(PostgresDatabase db, GuardrailOptions options, TimeProvider clock) : IApiRateLimiter
{
    private const string Select = "SELECT window_start_ticks AS WindowStartTicks, current_count AS Current, previous_count AS Previous FROM api_rate_limits WHERE tenant_id = @tenantId FOR UPDATE";

    public async ValueTask<RateLimitDecision> AcquireAsync(string tenantId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<WindowRow>(Select, new { tenantId }, tx);
        if (row is null)
        {
            // A tenant's first request: create its row, then lock it like any other (another instance may have won the insert).
            await connection.ExecuteAsync(
                "INSERT INTO api_rate_limits (tenant_id, window_start_ticks, current_count, previous_count, updated_at) VALUES (@tenantId, 0, 0, 0, @now) ON CONFLICT (tenant_id) DO NOTHING",
                new { tenantId, now = clock.GetUtcNow().ToString("O") },
                tx);
            row = await connection.QuerySingleAsync<WindowRow>(Select, new { tenantId }, tx);
        }

        var now = clock.GetUtcNow();
        var (state, decision) = SlidingWindow.TryAcquire(
            new SlidingWindowState(row.WindowStartTicks, row.Current, row.Previous),
            now,
            RateLimitOptions.PerMinute(options.ApiRequestsPerMinute));
        await connection.ExecuteAsync(
            "UPDATE api_rate_limits SET window_start_ticks = @WindowStartTicks, current_count = @Current, previous_count = @Previous, updated_at = @now WHERE tenant_id = @tenantId",
            new { state.WindowStartTicks, state.Current, state.Previous, now = now.ToString("O"), tenantId },
            tx);
        await tx.CommitAsync(ct);
        return decision;
    }

    private sealed class WindowRow
    {
        public long WindowStartTicks { get; init; }

        public int Current { get; init; }

        public int Previous { get; init; }
    }
}
