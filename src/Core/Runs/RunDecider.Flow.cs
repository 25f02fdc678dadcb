using System.Text.Json;
using Warden.Core.Costs;
using Warden.Core.Graphs;

namespace Warden.Core.Runs;

/// <summary>How work moves through the graph: activation, retries, edges, joins, loops and completion.</summary>
public sealed partial class RunDecider
{
    private void FailAttempt(Step step, string nodeId, string error, bool retryable, Usage? usage)
    {
        var node = step.State.Nodes[nodeId];
        var definition = _graph.Nodes[nodeId];
        if (usage is not null)
        {
            node.Usage += usage;
            step.State.Usage += usage;
        }

        node.Error = error;
        if (retryable && node.Attempt < definition.Retry.MaxAttempts)
        {
            var delay = Backoff.Delay(definition.Retry, step.State.Seed, nodeId, node.Visit, node.Attempt);
            node.Status = NodeStatus.WaitingRetry;
            step.Commands.Add(new StartTimer(Tags.ForRetry(nodeId, node.Visit, node.Attempt + 1), step.Now + delay));
            step.Log("node.failed", nodeId, node.Attempt, WithCode(node, new Dictionary<string, string>
            {
                ["error"] = error,
                ["will_retry"] = "true",
                ["retry_in_ms"] = Str((long)delay.TotalMilliseconds),
            }));
            return;
        }

        node.Status = NodeStatus.Failed;
        node.EndedAt = step.Now;
        step.Log("node.failed", nodeId, node.Attempt, WithCode(node, new Dictionary<string, string>
        {
            ["error"] = error,
            ["will_retry"] = "false",
            ["attempts"] = Str(node.Attempt),
        }));
        AfterNodeEnded(step, nodeId);
    }

    /// <summary>A failure with a stable code (CONTRACT_VIOLATED, PII_BLOCKED ...) says so on the timeline.</summary>
    private static Dictionary<string, string> WithCode(NodeState node, Dictionary<string, string> data)
    {
        if (node.ErrorCode is { } code)
        {
            data["error_code"] = code;
        }

        return data;
    }

    public const string PolicyDeniedCode = "POLICY_DENIED";

    /// <summary>Tool steps are "provider" tool, "model" the tool's name: breakers and records key on them.</summary>
    private static ProviderChoice ToolChoice(NodeDefinition definition) => new("tool", definition.Tool!, null);

    /// <summary>Makes a node due: approval gates ask for a decision, agents run unless the run is paused.</summary>
    private void Activate(Step step, string nodeId)
    {
        var node = step.State.Nodes[nodeId];
        var definition = _graph.Nodes[nodeId];
        node.Visit++;
        node.Attempt = 0;
        node.Output = null;
        node.Error = null;
        node.ErrorCode = null;
        node.EndedAt = null;
        node.Escalated = false;
        if (definition.Kind == NodeKind.Approval)
        {
            var approval = definition.Approval!;
            node.Status = NodeStatus.WaitingApproval;
            node.StartedAt = step.Now;
            node.ApprovalId = StableHash.Id("apr_", step.State.RunId, nodeId, node.Visit);
            DateTimeOffset? deadline = approval.Deadline is { } d ? step.Now + d : null;
            step.Commands.Add(new RequestApproval(node.ApprovalId, nodeId, approval.Message, deadline));
            if (deadline is not null)
            {
                step.Commands.Add(new StartTimer(Tags.ForDeadline(nodeId, node.Visit), deadline.Value));
            }

            step.Log("approval.requested", nodeId, data: new Dictionary<string, string>
            {
                ["approval_id"] = node.ApprovalId,
                ["message"] = approval.Message,
                ["deadline"] = deadline?.ToString("O") ?? string.Empty,
            });
            return;
        }

        if (step.State.Status == RunStatus.Paused)
        {
            node.Status = NodeStatus.Ready;
            return;
        }

        Dispatch(step, nodeId);
    }

    /// <summary>Starts the next attempt: first the guardrails must admit it (budget, rate limits, breakers).</summary>
    private void Dispatch(Step step, string nodeId)
    {
        var node = step.State.Nodes[nodeId];
        node.Attempt++;
        node.ErrorCode = null;
        node.Status = NodeStatus.Admitting;
        if (node.Attempt == 1)
        {
            node.StartedAt = step.Now;
        }

        AskAdmission(step, nodeId);
    }

    private void AskAdmission(Step step, string nodeId)
    {
        var node = step.State.Nodes[nodeId];
        var definition = _graph.Nodes[nodeId];
        var promptTokens = Providers.MockResponder.EstimateTokens(RenderPrompt(step.State, definition));
        step.Commands.Add(definition.Kind == NodeKind.Tool
            ? new AskGuardrails(nodeId, node.Visit, node.Attempt, [ToolChoice(definition)], 0, null, definition.Tool, step.State.Options?.Ungoverned == true ? [] : _graph.Definition.ToolPolicies ?? [])
            : new AskGuardrails(nodeId, node.Visit, node.Attempt, definition.Candidates, promptTokens, _graph.Definition.Budget));
    }

    private Outcome OnGuardrailAnswered(Step step, GuardrailAnswered e)
    {
        var node = step.State.Nodes.GetValueOrDefault(e.NodeId);
        if (node is null || node.Status != NodeStatus.Admitting || node.Visit != e.Visit || node.Attempt != e.Attempt)
        {
            return Outcome.Stale;
        }

        switch (e.Verdict)
        {
            case AdmissionVerdict.Admitted:
                Execute(step, e.NodeId, e.Providers, ToolDecisionAllow, e.Reason);
                break;
            case AdmissionVerdict.Denied:
                step.Log("policy.denied", e.NodeId, e.Attempt, ToolPolicyData(e.NodeId, ToolDecisionDeny, new Dictionary<string, string> { ["reason"] = e.Reason ?? string.Empty }));
                node.ErrorCode = PolicyDeniedCode;
                FailAttempt(step, e.NodeId, $"denied by policy: {e.Reason}", retryable: false, usage: null);
                break;
            case AdmissionVerdict.ApprovalRequired:
                node.Status = NodeStatus.WaitingApproval;
                node.ApprovalId = StableHash.Id("apr_", step.State.RunId, e.NodeId, e.Visit, e.Attempt);
                var message = $"Approve step '{e.NodeId}': {e.Reason}";
                step.Commands.Add(new RequestApproval(node.ApprovalId, e.NodeId, message, null));
                step.Log("approval.requested", e.NodeId, e.Attempt, ToolPolicyData(e.NodeId, ToolDecisionApproval, new Dictionary<string, string>
                {
                    ["approval_id"] = node.ApprovalId,
                    ["message"] = message,
                    ["reason"] = e.Reason ?? string.Empty,
                    ["deadline"] = string.Empty,
                }));
                break;
            case AdmissionVerdict.BudgetExceeded:
                step.Log("budget.exceeded", e.NodeId, e.Attempt, new Dictionary<string, string> { ["reason"] = e.Reason ?? string.Empty });
                Terminate(step, RunStatus.Failed, e.Reason ?? "budget exceeded", Guardrails.Budget.BudgetLedger.ExceededCode);
                break;
            default:
                var wait = e.RetryAfter is { } r && r > TimeSpan.FromMilliseconds(100) ? r : TimeSpan.FromMilliseconds(100);
                step.Commands.Add(new StartTimer(Tags.ForAdmit(e.NodeId, e.Visit, e.Attempt), step.Now + wait));
                step.Log("node.throttled", e.NodeId, e.Attempt, new Dictionary<string, string>
                {
                    ["reason"] = e.Reason ?? string.Empty,
                    ["retry_in_ms"] = Str((long)wait.TotalMilliseconds),
                });
                break;
        }

        return Outcome.Applied;
    }

    /// <param name="decision">For a tool step, the policy decision that let it run (allow, or approval once approved).</param>
    /// <param name="reason">Why the policy decided so, when the guardrails said.</param>
    private void Execute(Step step, string nodeId, IReadOnlyList<ProviderChoice> providers, string decision, string? reason)
    {
        var node = step.State.Nodes[nodeId];
        var definition = _graph.Nodes[nodeId];
        node.Status = NodeStatus.Running;
        if (definition.Kind == NodeKind.Tool)
        {
            providers = [ToolChoice(definition)];
        }

        var first = providers.Count > 0 ? providers[0] : definition.Candidates[0];
        var prompt = RenderPrompt(step.State, definition);
        var contractInput = definition.Contract?.InputSchema is null ? null : Contracts.ContractInput.For(step.State.Input, Upstream(step.State, definition));
        step.Commands.Add(new ExecuteNode(new NodeInvocation(
            step.State.RunId,
            step.State.TenantId,
            step.State.GraphId,
            nodeId,
            node.Visit,
            node.Attempt,
            definition.Role!,
            prompt,
            first.Provider,
            first.Model,
            definition.Timeout,
            step.State.Options?.MockFor(nodeId, definition.Mock) ?? definition.Mock,
            step.State.Seed,
            providers.Count > 0 ? providers : null,
            step.State.Options?.Ungoverned == true ? GovernanceSettings.Off : _graph.Definition.Governance,
            step.State.Options?.Chaos,
            step.State.Options?.Replay,
            step.State.Options?.Shadow is not null,
            definition.Contract,
            contractInput)));
        step.Commands.Add(new StartTimer(Tags.ForTimeout(nodeId, node.Visit, node.Attempt), step.Now + definition.Timeout));
        var started = new Dictionary<string, string>
        {
            ["visit"] = Str(node.Visit),
            ["role"] = definition.Role!,
            ["provider"] = first.Provider,
            ["model"] = first.Model,
            ["providers"] = string.Join(", ", providers),
        };
        if (definition.Kind == NodeKind.Tool)
        {
            // What the tool is called with, on the durable timeline: suites assert tool calls and their arguments from it.
            // Capped, so one large input cannot swell every timeline read; a cut input says so.
            started["args"] = prompt.Length <= MaxLoggedArgsChars ? prompt : prompt[..MaxLoggedArgsChars];
            if (prompt.Length > MaxLoggedArgsChars)
            {
                started["args_truncated"] = "true";
            }

            if (reason is not null)
            {
                started["policy_reason"] = reason;
            }
        }

        step.Log("node.started", nodeId, node.Attempt, ToolPolicyData(nodeId, decision, started));
    }

    /// <summary>How much of a tool step's input its node.started entry keeps as <c>args</c>.</summary>
    public const int MaxLoggedArgsChars = 8 * 1024;

    public const string ToolDecisionAllow = "allow";
    public const string ToolDecisionDeny = "deny";
    public const string ToolDecisionApproval = "approval";

    /// <summary>
    /// A tool step's timeline entries name the tool and the policy decision on the call (node.started: allow or
    /// approval, policy.denied: deny, approval.requested: approval); other steps' entries are left as they were.
    /// </summary>
    private Dictionary<string, string> ToolPolicyData(string nodeId, string decision, Dictionary<string, string> data)
    {
        if (_graph.Nodes[nodeId] is { Kind: NodeKind.Tool, Tool: { } tool })
        {
            data["tool"] = tool;
            data["decision"] = decision;
        }

        return data;
    }

    private string RenderPrompt(RunState state, NodeDefinition definition) =>
        PromptTemplate.Render(definition.Prompt!, state.RunId, state.Input, Upstream(state, definition), id => state.Nodes.GetValueOrDefault(id)?.Output);

    /// <summary>The outputs of the node's forward predecessors that succeeded: its <c>{{upstream}}</c> and its contract's input.</summary>
    private List<(string From, string Output)> Upstream(RunState state, NodeDefinition definition) =>
        _graph.IncomingForward[definition.Id]
            .Select(e => (e.From, state.Nodes[e.From]))
            .Where(x => x.Item2.Status == NodeStatus.Succeeded && x.Item2.Output is not null)
            .Select(x => (x.From, x.Item2.Output!))
            .ToList();

    /// <summary>Called when a node has reached a final status for its current visit.</summary>
    private void AfterNodeEnded(Step step, string nodeId)
    {
        var node = step.State.Nodes[nodeId];
        var outgoing = _graph.Outgoing[nodeId];
        // A failure is handled only by an edge that can still be taken: an exhausted failure loop routes nothing.
        if (node.Status == NodeStatus.Failed && !outgoing.Any(e => e.When is { MatchesFailure: true } && !IsExhausted(step.State, e)))
        {
            Terminate(step, RunStatus.Failed, $"node '{nodeId}' failed: {node.Error}", node.ErrorCode);
            return;
        }

        foreach (var loop in outgoing.Where(e => e.IsLoop && IsTaken(step.State, e)))
        {
            var key = $"{loop.From}->{loop.To}";
            var taken = step.State.LoopTraversals.GetValueOrDefault(key);
            if (taken >= loop.MaxTraversals)
            {
                step.Log("loop.exhausted", nodeId, data: new Dictionary<string, string> { ["edge"] = key, ["max_traversals"] = Str(taken) });
                continue;
            }

            step.State.LoopTraversals[key] = taken + 1;
            step.Log("loop.taken", nodeId, data: new Dictionary<string, string> { ["edge"] = key, ["traversal"] = Str(taken + 1) });
            foreach (var id in _graph.LoopBodies[loop])
            {
                var member = step.State.Nodes[id];
                if (id != loop.To && member.Status.IsResolved())
                {
                    member.Status = NodeStatus.Pending;
                }
            }

            // Activated by another loop while the run is paused, and not started yet: this traversal joins that visit
            // (ending a visit that never started would leave a visit number no attempt ever ran under).
            if (step.State.Nodes[loop.To].Status == NodeStatus.Ready)
            {
                break;
            }

            // The target may still be working on an earlier visit (another loop restarted it): end that visit first.
            Cancel(step, loop.To, step.State.Nodes[loop.To], $"restarted by loop {key}");
            Activate(step, loop.To);
            break;
        }

        Propagate(step);
        CheckCompletion(step);
    }

    /// <summary>
    /// Resolves joins to a fixpoint: a pending node whose forward predecessors have all ended runs if at
    /// least one incoming edge was taken, and is skipped otherwise (which may in turn resolve its successors).
    /// </summary>
    private void Propagate(Step step)
    {
        var changed = true;
        while (changed && !step.State.Status.IsTerminal())
        {
            changed = false;
            foreach (var id in _graph.Order)
            {
                var node = step.State.Nodes[id];
                if (node.Status != NodeStatus.Pending)
                {
                    continue;
                }

                var incoming = _graph.IncomingForward[id];
                if (incoming.Length == 0)
                {
                    if (node.Visit == 0)
                    {
                        Activate(step, id);
                        changed = true;
                    }

                    continue;
                }

                if (!incoming.All(e => step.State.Nodes[e.From].Status.IsResolved()))
                {
                    continue;
                }

                if (incoming.Any(e => IsTaken(step.State, e)))
                {
                    Activate(step, id);
                }
                else
                {
                    node.Status = NodeStatus.Skipped;
                    step.Log("node.skipped", id);
                }

                changed = true;
            }
        }
    }

    private static bool IsExhausted(RunState state, EdgeDefinition edge) =>
        edge.IsLoop && state.LoopTraversals.GetValueOrDefault($"{edge.From}->{edge.To}") >= edge.MaxTraversals;

    private static bool IsTaken(RunState state, EdgeDefinition edge)
    {
        var source = state.Nodes[edge.From];
        return source.Status switch
        {
            NodeStatus.Succeeded => edge.When is null || edge.When.Evaluate(succeeded: true, source.Output),
            NodeStatus.Failed => edge.When is not null && edge.When.Evaluate(succeeded: false, output: null),
            _ => false,
        };
    }

    private void CheckCompletion(Step step)
    {
        if (step.State.Status.IsTerminal() || step.State.Nodes.Values.Any(n => n.Status.IsActive()))
        {
            return;
        }

        var output = FinalOutput(step.State);
        step.State.Status = RunStatus.Completed;
        step.State.Output = output;
        step.State.EndedAt = step.Now;
        step.Commands.Add(new FinishRun(RunStatus.Completed, output, null));
        step.Log("run.completed", data: new Dictionary<string, string>
        {
            ["input_tokens"] = Str(step.State.Usage.InputTokens),
            ["output_tokens"] = Str(step.State.Usage.OutputTokens),
            ["cost_usd"] = step.State.Usage.CostUsd.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>The outputs of succeeded nodes that no succeeded node follows: one text, or an object keyed by node.</summary>
    private string? FinalOutput(RunState state)
    {
        var frontier = _graph.Order
            .Where(id => state.Nodes[id].Status == NodeStatus.Succeeded
                && !_graph.Outgoing[id].Any(e => !e.IsLoop && state.Nodes[e.To].Status == NodeStatus.Succeeded))
            .ToList();
        return frontier.Count switch
        {
            0 => null,
            1 => state.Nodes[frontier[0]].Output,
            _ => JsonSerializer.Serialize(frontier.ToDictionary(id => id, id => state.Nodes[id].Output)),
        };
    }

    /// <summary>Ends the run now: every started node ends as cancelled and every timer and approval closes.</summary>
    private static void Terminate(Step step, RunStatus status, string reason, string? errorCode = null)
    {
        foreach (var (id, node) in step.State.Nodes)
        {
            Cancel(step, id, node, reason);
        }

        step.State.Status = status;
        step.State.Error = reason;
        step.State.ErrorCode = errorCode;
        step.State.EndedAt = step.Now;
        step.Commands.Add(new FinishRun(status, null, reason, errorCode));
        step.Log(status == RunStatus.Stopped ? "run.stopped" : "run.failed", data: new Dictionary<string, string> { ["reason"] = reason });
    }

    /// <summary>Ends an active node's current visit as cancelled, closing its work, timers and approval.</summary>
    private static void Cancel(Step step, string id, NodeState node, string reason)
    {
        switch (node.Status)
        {
            case NodeStatus.Running:
                step.Commands.Add(new CancelNode(id, node.Visit, node.Attempt));
                step.Commands.Add(new CancelTimer(Tags.ForTimeout(id, node.Visit, node.Attempt)));
                break;
            case NodeStatus.WaitingRetry:
                step.Commands.Add(new CancelTimer(Tags.ForRetry(id, node.Visit, node.Attempt + 1)));
                break;
            case NodeStatus.Admitting:
                // Whatever the guardrails reserved for this attempt is released when the host sees the cancel.
                step.Commands.Add(new CancelTimer(Tags.ForAdmit(id, node.Visit, node.Attempt)));
                step.Commands.Add(new CancelNode(id, node.Visit, node.Attempt));
                break;
            case NodeStatus.WaitingApproval:
                step.Commands.Add(new CancelTimer(Tags.ForDeadline(id, node.Visit)));
                step.Commands.Add(new CloseApproval(node.ApprovalId!, ApprovalOutcome.Cancelled, SystemActor, reason));
                break;
            case NodeStatus.Ready:
                break;
            default:
                return;
        }

        node.Status = NodeStatus.Cancelled;
        node.EndedAt = step.Now;
        step.Log("node.cancelled", id, node.Attempt);
    }
}
