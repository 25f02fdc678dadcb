using System.Text.Json.Serialization;
using Warden.Core.Costs;
using Warden.Core.Graphs;

namespace Warden.Core.Runs;

/// <summary>Work the decider asks its engine to carry out, in order, after persisting the new state.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ExecuteNode), "execute_node")]
[JsonDerivedType(typeof(CancelNode), "cancel_node")]
[JsonDerivedType(typeof(StartTimer), "start_timer")]
[JsonDerivedType(typeof(CancelTimer), "cancel_timer")]
[JsonDerivedType(typeof(RequestApproval), "request_approval")]
[JsonDerivedType(typeof(CloseApproval), "close_approval")]
[JsonDerivedType(typeof(EscalateApproval), "escalate_approval")]
[JsonDerivedType(typeof(AppendTimeline), "append_timeline")]
[JsonDerivedType(typeof(FinishRun), "finish_run")]
[JsonDerivedType(typeof(AskGuardrails), "ask_guardrails")]
[JsonDerivedType(typeof(RecordOutcome), "record_outcome")]
public abstract record RunCommand;

/// <summary>Everything an executor needs to run one attempt of an agent step, with no further lookups.</summary>
/// <param name="Contract">The node's contract, checked by the executor on this attempt; null when it has none.</param>
/// <param name="ContractInput">The node's input as its contract's input schema reads it (<see cref="Contracts.ContractInput"/>); set only when the contract has one.</param>
/// <remarks>Invocations are persisted (the outbox, Durable activity inputs): add members only at the end, optional.</remarks>
public sealed record NodeInvocation(
    string RunId,
    string TenantId,
    string GraphId,
    string NodeId,
    int Visit,
    int Attempt,
    string Role,
    string Prompt,
    string Provider,
    string Model,
    TimeSpan Timeout,
    MockSettings Mock,
    long Seed,
    IReadOnlyList<ProviderChoice>? Providers = null,
    GovernanceSettings? Governance = null,
    ChaosSettings? Chaos = null,
    ReplaySettings? Replay = null,
    bool Shadow = false,
    Contracts.NodeContract? Contract = null,
    string? ContractInput = null)
{
    /// <summary>The providers to try in order: those the guardrails admitted, or the node's own choice.</summary>
    public IReadOnlyList<ProviderChoice> Candidates => Providers is { Count: > 0 } ? Providers : [new ProviderChoice(Provider, Model, null)];

    /// <summary>Identifies this attempt; side effects are keyed by it so a re-run after a crash counts once.</summary>
    public string Key => $"{RunId}/{NodeId}/{Visit}/{Attempt}";
}

public sealed record ExecuteNode(NodeInvocation Invocation) : RunCommand;

public sealed record CancelNode(string NodeId, int Visit, int Attempt) : RunCommand;

public sealed record StartTimer(string Tag, DateTimeOffset Due) : RunCommand;

public sealed record CancelTimer(string Tag) : RunCommand;

public sealed record RequestApproval(string ApprovalId, string NodeId, string Message, DateTimeOffset? Deadline) : RunCommand;

public enum ApprovalOutcome
{
    Approved,
    Rejected,
    Expired,
    Cancelled,
}

public sealed record CloseApproval(string ApprovalId, ApprovalOutcome Outcome, string Actor, string? Comment) : RunCommand;

public sealed record EscalateApproval(string ApprovalId, string NodeId, string Reason) : RunCommand;

public sealed record TimelineEntry(string Type, DateTimeOffset At, string? NodeId = null, int? Attempt = null, IReadOnlyDictionary<string, string>? Data = null);

public sealed record AppendTimeline(IReadOnlyList<TimelineEntry> Entries) : RunCommand;

public sealed record FinishRun(RunStatus Status, string? Output, string? Reason, string? ErrorCode = null) : RunCommand;

/// <summary>
/// Before a step: may it run, on which providers? Hosts check breakers, rate limits and budgets (run, graph,
/// tenant), reserve the estimated cost under <see cref="ReservationKey"/>, and answer with <see cref="GuardrailAnswered"/>.
/// </summary>
/// <param name="Tool">For a tool step: the tool to call, judged against <paramref name="ToolPolicies"/> (the graph's rules).</param>
public sealed record AskGuardrails(
    string NodeId,
    int Visit,
    int Attempt,
    IReadOnlyList<ProviderChoice> Candidates,
    long PromptTokens,
    Guardrails.Budget.BudgetLimit? RunBudget,
    string? Tool = null,
    IReadOnlyList<Governance.Policies.ToolRule>? ToolPolicies = null) : RunCommand
{
    public string ReservationKey(string runId) => $"{runId}/{NodeId}/{Visit}/{Attempt}";
}

/// <summary>After a step (even a late or cancelled one): settle its reservation and tell the breakers how each call went.</summary>
public sealed record RecordOutcome(string ReservationKey, string NodeId, Usage Usage, IReadOnlyList<ProviderCall> Calls) : RunCommand;

/// <summary>Why an event could not be applied (the state is unchanged); hosts map this to 409.</summary>
public sealed record DecisionRejection(string Code, string Message);

public sealed record Decision(RunState State, IReadOnlyList<RunCommand> Commands, DecisionRejection? Rejection = null)
{
    public bool Rejected => Rejection is not null;
}

/// <summary>What the host supplies to every decision. The decider never reads a clock itself.</summary>
public readonly record struct RunContext(DateTimeOffset Now);

/// <param name="SnapshotId">The release snapshot the run was resolved to (graph version plus frozen catalogue), when known.</param>
public sealed record RunStart(string RunId, string TenantId, string GraphId, int GraphVersion, string Input, long Seed, RunOptions? Options = null, string? SnapshotId = null);
