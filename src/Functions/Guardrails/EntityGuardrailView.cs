using System.Globalization;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;
using Warden.Core.Guardrails.Budget;
using Warden.Core.Guardrails.CircuitBreaker;
using Warden.Core.Guardrails.RateLimit;
using Warden.Core.Serialization;
using Warden.Functions.Runs;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Storage;

namespace Warden.Functions.Guardrails;

/// <summary>
/// The usage store of this host, with the guardrail rows read from where they live here: the breaker, rate-limit and
/// budget entities (the embedded engine keeps the same rows in its store). Breakers and rate windows are shared by
/// every tenant; of the budgets, only the caller's tenant's and its graphs' are listed.
/// </summary>
public sealed class EntityGuardrailView(IUsageStore usage) : IUsageStore
{
    public Task<IReadOnlyList<UsageRow>> GroupAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, UsageGrouping by, CancellationToken ct = default) =>
        usage.GroupAsync(tenantId, since, until, by, ct);

    public Task<UsageSummary> SummaryAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default) =>
        usage.SummaryAsync(tenantId, since, until, ct);

    public Task<IReadOnlyList<UsageBucket>> TimeseriesAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, TimeSpan interval, CancellationToken ct = default) =>
        usage.TimeseriesAsync(tenantId, since, until, interval, ct);

    public Task<GovernanceSummary> GovernanceAsync(string tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default) =>
        usage.GovernanceAsync(tenantId, since, until, ct);

    public async Task<IReadOnlyList<GuardrailRow>> GuardrailsAsync(string tenantId, CancellationToken ct = default)
    {
        var entities = DurableClientScope.Current.Entities;
        var rows = new List<GuardrailRow>();
        await foreach (var breaker in entities.GetAllEntitiesAsync<CircuitBreakerState>(Query(nameof(CircuitBreakerEntity), string.Empty)).WithCancellation(ct))
        {
            rows.Add(Row(GuardrailKeys.Breaker(breaker.Id.Key), GuardrailKeys.BreakerKind, breaker.State, breaker.LastModifiedTime));
        }

        await foreach (var window in entities.GetAllEntitiesAsync<SlidingWindowState>(Query(nameof(RateLimitEntity), string.Empty)).WithCancellation(ct))
        {
            rows.Add(Row(GuardrailKeys.LlmRate(window.Id.Key), GuardrailKeys.RateKind, window.State, window.LastModifiedTime));
        }

        foreach (var prefix in new[] { $"budget:tenant:{tenantId}:", $"budget:graph:{tenantId}:" })
        {
            await foreach (var budget in entities.GetAllEntitiesAsync<BudgetState>(Query(nameof(BudgetEntity), prefix)).WithCancellation(ct))
            {
                rows.Add(Row(budget.Id.Key, GuardrailKeys.BudgetKind, budget.State, budget.LastModifiedTime));
            }
        }

        return [.. rows.OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal)];
    }

    /// <summary>Entities of one name (exact, hence the '@'), and a key prefix.</summary>
    private static EntityQuery Query(string entity, string keyPrefix) =>
        new() { InstanceIdStartsWith = $"{entity.ToLowerInvariant()}@{keyPrefix}", IncludeState = true };

    private static GuardrailRow Row<T>(string key, string kind, T state, DateTimeOffset modified) =>
        new(key, kind, WardenJson.Serialize(state), modified.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
}
