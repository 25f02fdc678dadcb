using Warden.Core.Runs;

namespace Warden.Core.Tests.Support;

/// <summary>
/// Answers every AskGuardrails with "admitted on the node's own candidates", as the embedded engine does within
/// the same transaction when no guardrail objects, and folds the follow-up decisions into one.
/// </summary>
internal static class Admission
{
    public static Decision AdmitAll(RunDecider decider, Decision decision, RunContext ctx)
    {
        if (decision.Rejected)
        {
            return decision;
        }

        var state = decision.State;
        var commands = new List<RunCommand>();
        var pending = new Queue<RunCommand>(decision.Commands);
        while (pending.TryDequeue(out var command))
        {
            commands.Add(command);
            if (command is not AskGuardrails ask)
            {
                continue;
            }

            var next = decider.Apply(state, new GuardrailAnswered(ask.NodeId, ask.Visit, ask.Attempt, AdmissionVerdict.Admitted, ask.Candidates), ctx);
            if (!next.Rejected)
            {
                state = next.State;
                foreach (var follow in next.Commands)
                {
                    pending.Enqueue(follow);
                }
            }
        }

        return new Decision(state, commands);
    }
}
