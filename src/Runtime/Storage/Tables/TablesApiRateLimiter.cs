using Azure;
using Azure.Data.Tables;
using Warden.Core.Guardrails.RateLimit;
using Warden.Runtime.Guardrails;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// The per-tenant API limit shared by every instance on one storage account: table <c>ratelimits</c>, PartitionKey =
/// tenant id, RowKey = <c>api</c>, holding Core's sliding-window state (window start, current and previous counts).
/// Each acquire reads it with its ETag, advances it with <see cref="SlidingWindow.TryAcquire"/> and writes it back
/// If-Match (a tenant's first request inserts it): when two instances race for the last permit, one write fails with
/// 412/409 and that instance decides again on the new state, so the limit is never overspent. A refusal that leaves
/// the state as it was writes nothing. Each instance passes its own clock; the window does not move back for one that runs behind.
/// </summary>
public sealed class TablesApiRateLimiter(TableStorage storage, GuardrailOptions options, TimeProvider clock) : IApiRateLimiter
{
    internal const string Table = "ratelimits";
    internal const string ApiRow = "api";

    public async ValueTask<RateLimitDecision> AcquireAsync(string tenantId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(Table, ct);
        var partition = TableKeys.Escape(tenantId);
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, ApiRow, cancellationToken: ct);
            var stored = found.HasValue ? found.Value : null;
            var before = stored is null
                ? SlidingWindowState.Empty
                : new SlidingWindowState(stored.GetInt64("WindowStartTicks") ?? 0, stored.GetInt32("Current") ?? 0, stored.GetInt32("Previous") ?? 0);
            var (state, decision) = SlidingWindow.TryAcquire(before, clock.GetUtcNow(), RateLimitOptions.PerMinute(options.ApiRequestsPerMinute));
            if (stored is not null && state == before)
            {
                return decision;
            }

            var next = new TableEntity(partition, ApiRow)
            {
                ["WindowStartTicks"] = state.WindowStartTicks,
                ["Current"] = state.Current,
                ["Previous"] = state.Previous,
            };
            try
            {
                if (stored is null)
                {
                    await table.AddEntityAsync(next, ct);
                }
                else
                {
                    await table.UpdateEntityAsync(next, stored.ETag, TableUpdateMode.Replace, ct);
                }

                return decision;
            }
            catch (RequestFailedException ex) when (TableKeys.IsConflict(ex))
            {
                await OptimisticRetry.DelayAsync(attempt, ct);
            }
        }

        throw OptimisticRetry.GaveUp($"the API rate limit of tenant {tenantId}");
    }
}
