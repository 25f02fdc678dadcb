namespace Warden.Core.Runs.Replay;

/// <summary>
/// Builds a run's recording from its start and input events: the decider is re-driven to learn the prompt each
/// attempt was sent (the <see cref="ExecuteNode"/> commands), and each <see cref="NodeSucceeded"/> becomes a call
/// keyed by that prompt. Pure: the same history always gives the same recording.
/// </summary>
public static class RecordingBuilder
{
    public static Recording Build(RunDecider decider, RunStart start, DateTimeOffset startedAt, IReadOnlyList<RecordedEvent> events, RunStatus? status = null, string? output = null)
    {
        ArgumentNullException.ThrowIfNull(decider);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(events);
        var prompts = new Dictionary<(string, int, int), string>();
        var calls = new List<RecordedCall>();
        ExactReplayer.Drive(decider, start, startedAt, events, (index, decision) =>
        {
            if (index > 0 && events[index - 1].Event is NodeSucceeded ok && prompts.TryGetValue((ok.NodeId, ok.Visit, ok.Attempt), out var prompt))
            {
                calls.Add(new RecordedCall(ok.NodeId, ok.Visit, ok.Attempt, PromptKey.Hash(prompt, start.RunId), ok.Output, ok.Provider, ok.Model, ok.Usage, prompt));
            }

            foreach (var inv in decision.Commands.OfType<ExecuteNode>().Select(e => e.Invocation))
            {
                prompts[(inv.NodeId, inv.Visit, inv.Attempt)] = inv.Prompt;
            }
        });

        var options = start.Options is { } o && (o with { Replay = null }) is { IsEmpty: false } kept ? kept : null;
        return new Recording(start.RunId, start.GraphId, start.GraphVersion, start.Input, start.Seed, startedAt, calls, options, events, status, output);
    }

    /// <summary>The start a recording describes, for re-driving its events.</summary>
    public static RunStart StartOf(Recording recording, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(recording);
        return new RunStart(recording.SourceRunId, tenantId, recording.GraphId, recording.GraphVersion, recording.Input, recording.Seed, recording.Options);
    }
}
