using System.Text.Json.Serialization;
using Warden.Core.Costs;

namespace Warden.Core.Runs;

/// <summary>Something that happened to a run; the decider turns it into a new state and commands.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(NodeSucceeded), "node_succeeded")]
[JsonDerivedType(typeof(NodeFailed), "node_failed")]
[JsonDerivedType(typeof(TimerFired), "timer_fired")]
[JsonDerivedType(typeof(SignalReceived), "signal")]
[JsonDerivedType(typeof(GuardrailAnswered), "guardrail_answered")]
public abstract record RunEvent;

/// <param name="Calls">Every provider call the attempt made (retries and fallbacks included), for breakers and audit.</param>
/// <param name="Redactions">What governance redacted before the provider saw the prompt (kind and position, never the value).</param>
public sealed record NodeSucceeded(string NodeId, int Visit, int Attempt, string Output, Usage Usage, string Provider, string Model, long DurationMs, IReadOnlyList<ProviderCall>? Calls = null, IReadOnlyList<Redaction>? Redactions = null) : RunEvent;

/// <summary>A redacted span of a prompt or output: its kind and where it was, never what it was.</summary>
public sealed record Redaction(string Kind, int Start, int Length, string Direction);

/// <param name="ErrorCode">A stable code for governance blocks (PII_BLOCKED, INJECTION_BLOCKED), carried to the run.</param>
public sealed record NodeFailed(string NodeId, int Visit, int Attempt, string Error, bool Retryable, Usage? Usage = null, IReadOnlyList<ProviderCall>? Calls = null, string? ErrorCode = null) : RunEvent;

public sealed record TimerFired(string Tag) : RunEvent;

public enum SignalKind
{
    Approve,
    Reject,
    Pause,
    Resume,
    Stop,
}

public sealed record SignalReceived(SignalKind Kind, string Actor, string? ApprovalId = null, string? Comment = null) : RunEvent;

public enum AdmissionVerdict
{
    Admitted,

    /// <summary>A budget would be passed: the run is killed with BUDGET_EXCEEDED.</summary>
    BudgetExceeded,

    /// <summary>No capacity now (rate limit, or every provider's breaker is open): ask again after RetryAfter.</summary>
    Throttled,

    /// <summary>A policy forbids the step (e.g. a denied tool): it fails without retries, code POLICY_DENIED.</summary>
    Denied,

    /// <summary>A policy lets the step run only after a human approves it (e.g. a write tool).</summary>
    ApprovalRequired,
}

/// <summary>The guardrails' answer to <see cref="AskGuardrails"/>: which providers may be called, in order.</summary>
public sealed record GuardrailAnswered(
    string NodeId,
    int Visit,
    int Attempt,
    AdmissionVerdict Verdict,
    IReadOnlyList<Graphs.ProviderChoice> Providers,
    string? Reason = null,
    TimeSpan? RetryAfter = null) : RunEvent;

/// <summary>One call to one provider, as the router made it.</summary>
/// <param name="Injected">The failure was injected by the run's own chaos: it says nothing about the provider's health.</param>
public sealed record ProviderCall(string Provider, string Model, string? Region, bool Succeeded, bool Retryable, string? Error, long LatencyMs, Usage Usage, bool Injected = false);
