using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Warden.Core.Costs;
using Warden.Core.Runs;

namespace Warden.Runtime.Telemetry;

/// <summary>
/// Warden's traces and metrics: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named "Warden",
/// shared by both hosts. Without a listener (no OTLP endpoint configured) spans are not created and instruments
/// record nothing, so every call site checks <see cref="ActivitySource.HasListeners"/> or
/// <see cref="Instrument.Enabled"/> before building tags.
/// <para>
/// Run traces: a run outlives processes (it is resumed after a crash, or runs across Durable activities), so no
/// single in-memory span can cover it. Instead every span of a run is parented by a synthetic context derived from
/// the run id alone (<see cref="RunContext"/>: the W3C trace id is the first 16 bytes of SHA-256 of the run id, the
/// parent span id the next 8), so all node spans of a run share one trace in whichever process runs them; the
/// embedded engine adds a "run {graph}" span when the run finishes, back-dated to the run's start. The synthetic
/// parent span itself is never exported.
/// </para>
/// Prompts, outputs and keys never become attributes: only identifiers, models, token counts, cost and outcomes.
/// </summary>
public static class WardenTelemetry
{
    public const string Name = "Warden";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> RunsStarted = Meter.CreateCounter<long>("warden.runs.started", "{run}", "Runs started");

    public static readonly Counter<long> RunsFinished = Meter.CreateCounter<long>("warden.runs.finished", "{run}", "Runs finished, by status");

    public static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>("warden.run.duration", "s", "Run duration from start to finish");

    public static readonly Counter<long> ShadowPairs = Meter.CreateCounter<long>("warden.shadow.pairs", "{pair}", "Shadow pairs scored, by graph and whether they were flagged as diverged");

    public static readonly Counter<long> NodeExecutions = Meter.CreateCounter<long>("warden.node.executions", "{attempt}", "Node attempts, by outcome");

    public static readonly Histogram<double> NodeDuration = Meter.CreateHistogram<double>("warden.node.duration", "s", "Duration of one node attempt");

    public static readonly Counter<long> Tokens = Meter.CreateCounter<long>("warden.tokens", "{token}", "Tokens used, by provider, model and token type (input or output)");

    public static readonly Counter<double> Cost = Meter.CreateCounter<double>("warden.cost", "USD", "Provider cost in US dollars, by provider, model and tenant");

    public static readonly Histogram<double> ProviderLatency = Meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s", "Latency of one provider call");

    // Warden attributes.
    public const string TenantId = "warden.tenant.id";
    public const string GraphId = "warden.graph.id";
    public const string RunId = "warden.run.id";
    public const string NodeId = "warden.node.id";
    public const string NodeAttempt = "warden.node.attempt";
    public const string NodeVisit = "warden.node.visit";
    public const string Outcome = "warden.outcome";
    public const string RunStatus = "warden.run.status";
    public const string CostUsd = "warden.usage.cost_usd";
    public const string ErrorCode = "warden.error.code";
    public const string Region = "warden.provider.region";

    // GenAI semantic conventions (https://opentelemetry.io/docs/specs/semconv/gen-ai/).
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string AgentName = "gen_ai.agent.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";

    /// <summary>The synthetic parent of every span of a run: the same in every process, from the run id alone.</summary>
    public static ActivityContext RunContext(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(runId), hash);
        return new ActivityContext(
            ActivityTraceId.CreateFromBytes(hash[..16]),
            ActivitySpanId.CreateFromBytes(hash[16..24]),
            ActivityTraceFlags.Recorded,
            isRemote: true);
    }

    /// <summary>The GenAI provider name for a Warden provider (the well-known values where one exists).</summary>
    public static string GenAiProvider(string provider) => provider switch
    {
        "azure-openai" => "azure.ai.openai",
        _ => provider,
    };

    public static void RunStarted(string tenantId, string graphId)
    {
        if (RunsStarted.Enabled)
        {
            RunsStarted.Add(1, new KeyValuePair<string, object?>(TenantId, tenantId), new KeyValuePair<string, object?>(GraphId, graphId));
        }
    }

    /// <summary>A run reached its end: counters, the duration histogram and a back-dated run span.</summary>
    public static void RunEnded(string tenantId, string graphId, string runId, string status, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        var seconds = Math.Max(0, (finishedAt - startedAt).TotalSeconds);
        if (RunsFinished.Enabled || RunDuration.Enabled)
        {
            var tags = new TagList { { TenantId, tenantId }, { GraphId, graphId }, { RunStatus, status } };
            RunsFinished.Add(1, tags);
            RunDuration.Record(seconds, tags);
        }

        if (!Source.HasListeners())
        {
            return;
        }

        using var activity = Source.StartActivity($"invoke_workflow {graphId}", ActivityKind.Internal, RunContext(runId), startTime: startedAt);
        if (activity is null)
        {
            return;
        }

        activity.SetTag(OperationName, "invoke_workflow");
        activity.SetTag(TenantId, tenantId);
        activity.SetTag(GraphId, graphId);
        activity.SetTag(RunId, runId);
        activity.SetTag(RunStatus, status);
        if (status is "failed")
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }

        activity.SetEndTime(finishedAt.UtcDateTime);
    }

    /// <summary>Starts the span of one node attempt (null when nobody listens).</summary>
    public static Activity? StartNode(NodeInvocation inv)
    {
        ArgumentNullException.ThrowIfNull(inv);
        if (!Source.HasListeners())
        {
            return null;
        }

        var tool = inv.Provider == Tools.ToolInvoker.ProviderName;
        var operation = tool ? "execute_tool" : "invoke_agent";
        var activity = Source.StartActivity($"{operation} {inv.NodeId}", ActivityKind.Internal, RunContext(inv.RunId));
        if (activity is null)
        {
            return null;
        }

        activity.SetTag(OperationName, operation);
        activity.SetTag(TenantId, inv.TenantId);
        activity.SetTag(GraphId, inv.GraphId);
        activity.SetTag(RunId, inv.RunId);
        activity.SetTag(NodeId, inv.NodeId);
        activity.SetTag(NodeVisit, inv.Visit);
        activity.SetTag(NodeAttempt, inv.Attempt);
        activity.SetTag(AgentName, inv.NodeId);
        activity.SetTag(ProviderName, GenAiProvider(inv.Provider));
        activity.SetTag(RequestModel, inv.Model);
        return activity;
    }

    /// <summary>Ends a node attempt: the span's outcome and usage, the node counters and the token and cost counters.</summary>
    public static void NodeEnded(Activity? activity, NodeInvocation inv, string provider, string model, Usage usage, long latencyMs, RunEvent result)
    {
        ArgumentNullException.ThrowIfNull(inv);
        ArgumentNullException.ThrowIfNull(usage);
        var failed = result as NodeFailed;
        var outcome = failed is null ? "succeeded" : failed.Retryable ? "retryable_failure" : "failed";
        if (activity is not null)
        {
            activity.SetTag(ProviderName, GenAiProvider(provider));
            activity.SetTag(ResponseModel, model);
            activity.SetTag(InputTokens, usage.InputTokens);
            activity.SetTag(OutputTokens, usage.OutputTokens);
            activity.SetTag(CostUsd, (double)usage.CostUsd);
            activity.SetTag(Outcome, outcome);
            if (failed is not null)
            {
                // The message is Warden's own classification (provider errors never carry keys or prompts).
                activity.SetTag(ErrorType, failed.ErrorCode ?? (failed.Retryable ? "retryable" : "failed"));
                activity.SetStatus(ActivityStatusCode.Error, failed.Error);
            }
        }

        if (NodeExecutions.Enabled || NodeDuration.Enabled)
        {
            var tags = new TagList { { TenantId, inv.TenantId }, { GraphId, inv.GraphId }, { ProviderName, GenAiProvider(provider) }, { Outcome, outcome } };
            NodeExecutions.Add(1, tags);
            NodeDuration.Record(latencyMs / 1000.0, tags);
        }
    }

    /// <summary>Starts the span of one provider call (a GenAI "chat {model}" client span; null when nobody listens).</summary>
    public static Activity? StartProviderCall(string provider, string? region, string model, NodeInvocation inv)
    {
        ArgumentNullException.ThrowIfNull(inv);
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity($"chat {model}", ActivityKind.Client);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag(OperationName, "chat");
        activity.SetTag(ProviderName, GenAiProvider(provider));
        activity.SetTag(RequestModel, model);
        activity.SetTag(TenantId, inv.TenantId);
        activity.SetTag(RunId, inv.RunId);
        activity.SetTag(NodeId, inv.NodeId);
        if (region is not null)
        {
            activity.SetTag(Region, region);
        }

        return activity;
    }

    /// <summary>Ends a provider call: span usage or error, latency, tokens and cost.</summary>
    public static void ProviderCallEnded(Activity? activity, string provider, string requestModel, string responseModel, string tenantId, Usage usage, double seconds, string? errorType)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var genAiProvider = GenAiProvider(provider);
        if (activity is not null)
        {
            activity.SetTag(ResponseModel, responseModel);
            activity.SetTag(InputTokens, usage.InputTokens);
            activity.SetTag(OutputTokens, usage.OutputTokens);
            activity.SetTag(CostUsd, (double)usage.CostUsd);
            if (errorType is not null)
            {
                activity.SetTag(ErrorType, errorType);
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        if (ProviderLatency.Enabled)
        {
            var tags = new TagList { { OperationName, "chat" }, { ProviderName, genAiProvider }, { RequestModel, requestModel } };
            if (errorType is not null)
            {
                tags.Add(ErrorType, errorType);
            }

            ProviderLatency.Record(seconds, tags);
        }

        if (errorType is null && Tokens.Enabled)
        {
            Tokens.Add(usage.InputTokens, new TagList { { ProviderName, genAiProvider }, { ResponseModel, responseModel }, { TokenType, "input" } });
            Tokens.Add(usage.OutputTokens, new TagList { { ProviderName, genAiProvider }, { ResponseModel, responseModel }, { TokenType, "output" } });
        }

        if (errorType is null && Cost.Enabled)
        {
            Cost.Add((double)usage.CostUsd, new TagList { { ProviderName, genAiProvider }, { ResponseModel, responseModel }, { TenantId, tenantId } });
        }
    }
}
