using System.Diagnostics;
using Warden.Core.Contracts;
using Warden.Core.Costs;
using Warden.Core.Runs;
using Warden.Core.Runs.Chaos;
using Warden.Core.Governance.Pii;
using Warden.Runtime.Governance;
using Warden.Runtime.Providers;
using Warden.Runtime.Replay;
using Warden.Runtime.Telemetry;
using Warden.Runtime.Tools;

namespace Warden.Runtime.Execution;

/// <summary>The outcome of one attempt as the decider sees it, plus what it cost to find out.</summary>
public sealed record NodeExecution(RunEvent Event, string Provider, string Model, Usage Usage, long LatencyMs);

/// <summary>
/// What one agent step does, shared by both hosts (the embedded worker pool and the Durable activity): route
/// the call over the admitted providers within the node's timeout, price the tokens, and turn any failure into
/// a classified <see cref="NodeFailed"/> carrying every provider call made. A run replaying a recording is answered
/// from it first (see <see cref="ReplaySource"/>): no provider or tool is called for a recorded (node, visit, prompt).
/// </summary>
/// <param name="clock">Times the node's timeout and chaos's added latency (tests pass a fake clock).</param>
public sealed class NodeExecutor(ProviderRouter router, ToolInvoker? tools = null, GovernanceScreen? governance = null, TimeProvider? clock = null, ReplaySource? replay = null)
{
    private readonly GovernanceScreen _governance = governance ?? new GovernanceScreen(GovernanceDefaults.Standard);
    private readonly ContractCache _contracts = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Runs one attempt inside its span (see <see cref="WardenTelemetry"/>) and counts its outcome, tokens and cost.</summary>
    public async Task<NodeExecution> ExecuteAsync(NodeInvocation inv, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(inv);
        using var activity = WardenTelemetry.StartNode(inv);
        NodeExecution execution;
        try
        {
            execution = await ExecuteCoreAsync(inv, ct);
        }
        catch (OperationCanceledException) when (activity is not null)
        {
            activity.SetTag(WardenTelemetry.Outcome, "cancelled");
            throw;
        }

        WardenTelemetry.NodeEnded(activity, inv, execution.Provider, execution.Model, execution.Usage, execution.LatencyMs, execution.Event);
        return execution;
    }

    private async Task<NodeExecution> ExecuteCoreAsync(NodeInvocation inv, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = new CancellationTokenSource(inv.Timeout, _clock);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        if (inv.Replay is { } settings && await ReplayAsync(inv, settings, started, ct) is { } replayed)
        {
            return replayed;
        }

        if (ChaosPlan.AddedLatency(inv.Chaos) is var added && added > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(added, _clock, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return Failed(inv, $"timed out after {inv.Timeout.TotalSeconds:0.###}s in the {added.TotalMilliseconds:0} ms latency chaos added", retryable: true, started, []);
            }
        }

        // A node's contract guards every attempt: a bad input fails before anything is called (or paid for).
        var contract = inv.Contract is { } c ? _contracts.Get(c) : null;
        if (contract is not null && ContractChecker.CheckInput(contract, inv.ContractInput) is { Count: > 0 } badInput)
        {
            return Violated(inv, contract, badInput, started, [], null);
        }

        if (inv.Provider == ToolInvoker.ProviderName)
        {
            return await CallToolAsync(inv, contract, started, timeout.Token, ct);
        }

        // Personal data and secrets are redacted (or the step blocked) before any provider sees the prompt.
        var input = _governance.Pii(inv.Prompt, inv.Governance, PiiDirection.Input);
        if (input.Blocked)
        {
            return Failed(inv, input.BlockReason!, retryable: false, started, [], errorCode: input.BlockCode);
        }

        RouteResult route;
        try
        {
            route = await router.CallAsync(inv with { Prompt = input.Text }, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed(inv, $"provider call timed out after {inv.Timeout.TotalSeconds:0.###}s", retryable: true, started, []);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(inv, $"{ex.GetType().Name}: {ex.Message}", retryable: true, started, []);
        }

        var usage = route.Calls.Aggregate(Usage.Zero, (sum, call) => sum + call.Usage);
        var latency = Elapsed(started);
        if (route.Response is not { } response)
        {
            return Failed(inv, route.Failure!.Message, route.Failure.Retryable, started, route.Calls, usage);
        }

        var output = _governance.Pii(response.Text, inv.Governance, PiiDirection.Output);
        if (output.Blocked)
        {
            return Failed(inv, output.BlockReason!, retryable: false, started, route.Calls, usage, output.BlockCode);
        }

        if (contract is not null && ContractChecker.CheckOutput(contract, output.Text, response.OutputTokens) is { Count: > 0 } badOutput)
        {
            return Violated(inv, contract, badOutput, started, route.Calls, usage);
        }

        var redactions = input.Redactions.Concat(output.Redactions).ToList();
        return new NodeExecution(
            new NodeSucceeded(inv.NodeId, inv.Visit, inv.Attempt, output.Text, usage, route.Provider!, response.Model, latency, route.Calls, redactions.Count > 0 ? redactions : null),
            route.Provider!,
            response.Model,
            usage,
            latency);
    }

    /// <summary>
    /// The recorded response for this node, visit and prompt: 0 tokens, 0 cost, provider <see cref="ReplaySource.ProviderName"/>.
    /// With none, null (the call goes out) or, under <c>on_miss: fail</c>, a non-retryable REPLAY_MISS.
    /// </summary>
    private async Task<NodeExecution?> ReplayAsync(NodeInvocation inv, ReplaySettings settings, long started, CancellationToken ct)
    {
        var index = replay is null ? null : await replay.FindAsync(inv.TenantId, settings.RecordingId, ct);
        if (index?.Find(inv) is { } call)
        {
            return new NodeExecution(
                new NodeSucceeded(inv.NodeId, inv.Visit, inv.Attempt, call.Output, Usage.Zero, ReplaySource.ProviderName, call.Model, Elapsed(started), []),
                ReplaySource.ProviderName,
                call.Model,
                Usage.Zero,
                Elapsed(started));
        }

        if (settings.OnMiss == ReplayMissPolicy.Call)
        {
            return null;
        }

        var why = index is null
            ? $"recording {settings.RecordingId} not found"
            : $"recording {settings.RecordingId} has no response for node '{inv.NodeId}' visit {inv.Visit} with this prompt";
        return Failed(inv, $"{ReplaySource.MissCode}: {why}", retryable: false, started, [], errorCode: ReplaySource.MissCode);
    }

    /// <summary>A tool step: no tokens, no provider breakers; its failures are classified like a provider's.</summary>
    private async Task<NodeExecution> CallToolAsync(NodeInvocation inv, CompiledContract? contract, long started, CancellationToken withTimeout, CancellationToken ct)
    {
        if (tools is null)
        {
            return Failed(inv, "this host has no tool invoker", retryable: false, started, []);
        }

        try
        {
            var output = await tools.InvokeAsync(inv, withTimeout);

            // What a tool returns is untrusted content: injected instructions stop the step before any agent reads them.
            var screened = _governance.ToolResult(output, inv.Governance);
            if (screened.Blocked)
            {
                return Failed(inv, screened.BlockReason!, retryable: false, started, [], errorCode: screened.BlockCode);
            }

            if (contract is not null && ContractChecker.CheckOutput(contract, output, 0) is { Count: > 0 } violations)
            {
                return Violated(inv, contract, violations, started, [], null);
            }

            return new NodeExecution(
                new NodeSucceeded(inv.NodeId, inv.Visit, inv.Attempt, output, Usage.Zero, ToolInvoker.ProviderName, inv.Model, Elapsed(started), []),
                ToolInvoker.ProviderName,
                inv.Model,
                Usage.Zero,
                Elapsed(started));
        }
        catch (LlmException ex)
        {
            return Failed(inv, ex.Message, ex.Retryable, started, []);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed(inv, $"tool call timed out after {inv.Timeout.TotalSeconds:0.###}s", retryable: true, started, []);
        }
    }

    /// <summary>A broken contract fails the attempt like any failure: retried while attempts remain, on the timeline with its rules.</summary>
    private static NodeExecution Violated(NodeInvocation inv, CompiledContract contract, IReadOnlyList<ContractViolation> violations, long started, IReadOnlyList<ProviderCall> calls, Usage? usage) =>
        Failed(inv, ContractChecker.Describe(contract.Contract, violations), retryable: true, started, calls, usage, NodeContract.ViolatedCode);

    private static NodeExecution Failed(NodeInvocation inv, string error, bool retryable, long started, IReadOnlyList<ProviderCall> calls, Usage? usage = null, string? errorCode = null) =>
        new(
            new NodeFailed(inv.NodeId, inv.Visit, inv.Attempt, error, retryable, usage, calls, errorCode),
            calls.Count > 0 ? calls[^1].Provider : inv.Provider,
            calls.Count > 0 ? calls[^1].Model : inv.Model,
            usage ?? Usage.Zero,
            Elapsed(started));

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
