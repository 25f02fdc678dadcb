using System.Text.Json.Serialization;
using Warden.Core.Costs;

namespace Warden.Core.Runs;

/// <summary>Something that happened to a run; the decider turns it into a new state and commands.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(NodeSucceeded), "node_succeeded")]
[JsonDerivedType(typeof(NodeFailed), "node_failed")]
[JsonDerivedType(typeof(TimerFired), "timer_fired")]
[JsonDerivedType(typeof(SignalReceived), "signal")]
public abstract record RunEvent;

public sealed record NodeSucceeded(string NodeId, int Visit, int Attempt, string Output, Usage Usage, string Provider, string Model, long DurationMs) : RunEvent;

public sealed record NodeFailed(string NodeId, int Visit, int Attempt, string Error, bool Retryable, Usage? Usage = null) : RunEvent;

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
