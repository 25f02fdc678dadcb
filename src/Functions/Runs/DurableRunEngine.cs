using System.Security.Cryptography;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Guardrails.Budget;
using Warden.Core.Runs;
using Warden.Core.Serialization;
using Warden.Functions.Guardrails;
using Warden.Runtime.Engine;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Providers;
using Warden.Runtime.Storage;

namespace Warden.Functions.Runs;

/// <summary>
/// <see cref="IRunEngine"/> over Durable Functions: a run is a <see cref="RunGraph"/> orchestration whose instance id
/// is the run id; signals are external events; guardrail administration signals the entities. The client comes from
/// the invocation's [DurableClient] binding (see <see cref="DurableClientScope"/>).
/// </summary>
public sealed class DurableRunEngine(
    IGraphStore graphs,
    IRunStore runs,
    IRunProjection projection,
    GuardrailOptions guardrails,
    PriceTable prices,
    ProviderRegistry providers,
    TimeProvider clock) : IRunEngine, IGuardrailAdmin
{
    public async Task<StartRunResult> StartRunAsync(StartRunRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var version = await graphs.GetVersionAsync(request.TenantId, request.GraphId, request.Version, ct)
            ?? throw new NotFoundException(request.Version is null
                ? $"graph '{request.GraphId}' not found"
                : $"graph '{request.GraphId}' has no version {request.Version}");
        var client = DurableClientScope.Current;
        var now = clock.GetUtcNow();
        var tenantBudget = await client.Entities.GetEntityAsync<BudgetState>(GuardrailEntityIds.Budget(GuardrailKeys.TenantBudget(request.TenantId, now)), true, ct);
        if (tenantBudget?.State is { Exhausted: true } spent)
        {
            throw new BudgetExceededException(AdmissionRules.TenantBudgetSpent(spent, spent.Limit));
        }

        var start = new RunStart(NewRunId(), request.TenantId, request.GraphId, (int)version.Version, request.Input, request.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue), request.Options, request.SnapshotId);
        var policy = AdmissionPolicy.For(GraphParser.Parse(version.Source), guardrails, prices, providers.Expand);
        await projection.CreateRunAsync(start, now, ct);
        await client.ScheduleNewOrchestrationInstanceAsync(nameof(RunGraph), new RunGraphInput(start, version.Source, policy, RecordHistory: true), new StartOrchestrationOptions(InstanceId: start.RunId), ct);
        return new StartRunResult(start.RunId, request.GraphId, version.Version, RunStatus.Running);
    }

    /// <summary>
    /// Checks the signal against the run as last written (the same decider, so the same 409s as the embedded engine),
    /// then raises it; raising is durable, and the orchestration applies it in arrival order. Should the run have moved
    /// on in between so that the signal no longer applies, the orchestration ignores it.
    /// </summary>
    public async Task<SignalResult> SignalAsync(string tenantId, string runId, SignalReceived signal, CancellationToken ct = default)
    {
        var run = await runs.GetAsync(tenantId, runId, ct);
        if (run is null || await graphs.GetVersionAsync(tenantId, run.GraphId, run.GraphVersion, ct) is not { } version)
        {
            return new SignalResult(SignalStatus.NotFound);
        }

        var state = WardenJson.Deserialize<RunState>(run.State);
        var decision = new RunDecider(GraphParser.Parse(version.Source)).Apply(state, signal, new RunContext(clock.GetUtcNow()));
        if (decision.Rejected)
        {
            return new SignalResult(SignalStatus.Rejected, state.Status, decision.Rejection);
        }

        // An event raised on an instance the backend has not started yet can be dropped (the Azure Storage provider
        // discards messages for an instance it does not know), and a run's row exists a moment before its orchestration:
        // a signal right after the start waits for the orchestration to be there.
        var client = DurableClientScope.Current;
        if ((await client.GetInstanceAsync(runId, false, ct))?.RuntimeStatus is null or OrchestrationRuntimeStatus.Pending)
        {
            using var started = CancellationTokenSource.CreateLinkedTokenSource(ct);
            started.CancelAfter(StartWait);
            await client.WaitForInstanceStartAsync(runId, false, started.Token);
        }

        await client.RaiseEventAsync(runId, RunGraph.SignalEvent, signal, ct);
        return new SignalResult(SignalStatus.Applied, decision.State.Status);
    }

    /// <summary>Returns when the run's orchestration completes or after <paramref name="timeout"/>; callers read the store either way.</summary>
    /// <summary>A Functions instance is the platform's process, not ours to kill; scale-out would hide the crash anyway.</summary>
    public string? CrashRefusal =>
        "the Functions host cannot kill itself; crash_after_steps runs on the embedded engine under `warden test` (the other chaos kinds work here)";

    public async Task WaitForChangeAsync(string runId, TimeSpan timeout, CancellationToken ct = default)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(timeout);
        try
        {
            await DurableClientScope.Current.WaitForInstanceCompletionAsync(runId, false, wait.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // A timeout just means "look again".
        }
    }

    public Task ResetBreakerAsync(string providerKey, CancellationToken ct = default) =>
        DurableClientScope.Current.Entities.SignalEntityAsync(
            GuardrailEntityIds.Breaker(providerKey), nameof(CircuitBreakerEntity.Reset), new BreakerRequest(clock.GetUtcNow(), guardrails.Breaker), null, ct);

    /// <summary>Signals the new cap and answers with the budget as it will be once the entity has applied it.</summary>
    public async Task<BudgetState> SetBudgetAsync(string tenantId, string? graphId, BudgetLimit limit, CancellationToken ct = default)
    {
        var key = graphId is null ? GuardrailKeys.TenantBudget(tenantId, clock.GetUtcNow()) : GuardrailKeys.GraphBudget(tenantId, graphId);
        var entities = DurableClientScope.Current.Entities;
        var id = GuardrailEntityIds.Budget(key);
        var current = (await entities.GetEntityAsync<BudgetState>(id, true, ct))?.State ?? BudgetState.For(key, BudgetLimit.Unlimited);
        await entities.SignalEntityAsync(id, nameof(BudgetEntity.SetLimit), limit, null, ct);
        return BudgetLedger.Apply(current, new BudgetOperation.SetLimit(limit)).State;
    }

    // Operator tools. Pausing and resuming a run goes through the decider as a signal (in-flight steps finish and are
    // recorded, ready steps wait, the timeline says so); these act on the orchestration itself.

    /// <summary>Freezes the orchestration: nothing is applied (not even finished steps) until it is resumed.</summary>
    public static Task SuspendAsync(string runId, string reason, CancellationToken ct = default) =>
        DurableClientScope.Current.SuspendInstanceAsync(runId, reason, ct);

    public static Task ResumeAsync(string runId, string reason, CancellationToken ct = default) =>
        DurableClientScope.Current.ResumeInstanceAsync(runId, reason, ct);

    /// <summary>Ends an orchestration that cannot end itself; a run is normally stopped with a stop signal.</summary>
    public static Task TerminateAsync(string runId, string reason, CancellationToken ct = default) =>
        DurableClientScope.Current.TerminateInstanceAsync(runId, reason, ct);

    /// <summary>The orchestration's runtime status, or null when there is no such instance.</summary>
    public static async Task<OrchestrationRuntimeStatus?> GetInstanceStatusAsync(string runId, CancellationToken ct = default) =>
        (await DurableClientScope.Current.GetInstanceAsync(runId, false, ct))?.RuntimeStatus;

    /// <summary>How long a signal waits for a just-started run's orchestration to exist before it gives up.</summary>
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(30);

    private static string NewRunId() => "run_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
}
