using System.Text.Json;
using Warden.Core.Graphs;

namespace Warden.Core.Runs;

/// <summary>Human and operator input: approval decisions and pause / resume / stop.</summary>
public sealed partial class RunDecider
{
    private Outcome OnSignal(Step step, SignalReceived e)
    {
        var state = step.State;
        switch (e.Kind)
        {
            case SignalKind.Approve:
            case SignalKind.Reject:
                var match = state.Nodes.FirstOrDefault(kv => kv.Value.ApprovalId == e.ApprovalId && kv.Value.Status == NodeStatus.WaitingApproval);
                if (match.Value is null)
                {
                    return step.Reject("APPROVAL_NOT_PENDING", $"approval {e.ApprovalId} is not waiting for a decision");
                }

                Decide(step, match.Key, match.Value, e.Kind == SignalKind.Approve, e.Actor, e.Comment);
                return Outcome.Applied;

            case SignalKind.Pause:
                if (state.Status == RunStatus.Paused)
                {
                    return step.Reject("ALREADY_PAUSED", $"run {state.RunId} is already paused");
                }

                state.Status = RunStatus.Paused;
                step.Log("run.paused", data: Actor(e));
                return Outcome.Applied;

            case SignalKind.Resume:
                if (state.Status != RunStatus.Paused)
                {
                    return step.Reject("NOT_PAUSED", $"run {state.RunId} is not paused");
                }

                state.Status = RunStatus.Running;
                step.Log("run.resumed", data: Actor(e));
                foreach (var id in _graph.Order.Where(id => state.Nodes[id].Status == NodeStatus.Ready))
                {
                    Dispatch(step, id);
                }

                CheckCompletion(step);
                return Outcome.Applied;

            case SignalKind.Stop:
                Terminate(step, RunStatus.Stopped, $"stopped by {e.Actor}" + (string.IsNullOrWhiteSpace(e.Comment) ? string.Empty : $": {e.Comment}"));
                return Outcome.Applied;

            default:
                return step.Reject("UNKNOWN_SIGNAL", $"signal {e.Kind} is not supported");
        }
    }

    private void Decide(Step step, string nodeId, NodeState node, bool approved, string actor, string? comment)
    {
        step.Commands.Add(new CancelTimer(Tags.ForDeadline(nodeId, node.Visit)));
        step.Commands.Add(new CloseApproval(node.ApprovalId!, approved ? ApprovalOutcome.Approved : ApprovalOutcome.Rejected, actor, comment));
        node.EndedAt = step.Now;
        var data = new Dictionary<string, string> { ["approval_id"] = node.ApprovalId!, ["actor"] = actor, ["comment"] = comment ?? string.Empty };
        if (approved && _graph.Nodes[nodeId].Kind == NodeKind.Tool)
        {
            // The approval was for this attempt of the tool call: now it runs.
            node.EndedAt = null;
            step.Log("approval.approved", nodeId, node.Attempt, data);
            Execute(step, nodeId, [], ToolDecisionApproval, null);
            return;
        }

        if (approved)
        {
            node.Status = NodeStatus.Succeeded;
            node.Output = JsonSerializer.Serialize(new Dictionary<string, string?> { ["decision"] = "approved", ["by"] = actor, ["comment"] = comment });
            step.Log("approval.approved", nodeId, data: data);
        }
        else
        {
            node.Status = NodeStatus.Failed;
            node.Error = $"rejected by {actor}" + (string.IsNullOrWhiteSpace(comment) ? string.Empty : $": {comment}");
            step.Log("approval.rejected", nodeId, data: data);
        }

        AfterNodeEnded(step, nodeId);
    }

    private void OnApprovalDeadline(Step step, string nodeId, NodeState node)
    {
        var approval = _graph.Nodes[nodeId].Approval!;
        var deadline = Durations.Format(approval.Deadline ?? TimeSpan.Zero);
        switch (approval.OnTimeout)
        {
            case ApprovalTimeoutAction.Escalate:
                if (!node.Escalated)
                {
                    node.Escalated = true;
                    var reason = $"no decision within {deadline}";
                    step.Commands.Add(new EscalateApproval(node.ApprovalId!, nodeId, reason));
                    step.Log("approval.escalated", nodeId, data: new Dictionary<string, string> { ["approval_id"] = node.ApprovalId!, ["reason"] = reason });
                }

                break;
            case ApprovalTimeoutAction.Approve:
            case ApprovalTimeoutAction.Reject:
                Decide(step, nodeId, node, approval.OnTimeout == ApprovalTimeoutAction.Approve, $"{SystemActor}:deadline", $"no decision within {deadline}");
                break;
            default:
                step.Commands.Add(new CloseApproval(node.ApprovalId!, ApprovalOutcome.Expired, SystemActor, $"no decision within {deadline}"));
                node.Status = NodeStatus.Failed;
                node.Error = $"approval deadline of {deadline} passed without a decision";
                node.EndedAt = step.Now;
                step.Log("approval.expired", nodeId, data: new Dictionary<string, string> { ["approval_id"] = node.ApprovalId! });
                AfterNodeEnded(step, nodeId);
                break;
        }
    }

    private static Dictionary<string, string> Actor(SignalReceived e) => new() { ["actor"] = e.Actor };
}
