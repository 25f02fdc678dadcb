using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Core.Runs.Replay;
using Warden.Core.Serialization;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Runs.Replay;

public sealed class ExactReplayerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(TestGraphs.Sequential)]
    [InlineData(TestGraphs.Diamond)]
    public void Replay_SameGraph_IsIdentical(string yaml)
    {
        // Arrange
        var recorded = Record(yaml);

        // Act
        var report = ExactReplayer.Replay(new RunDecider(GraphParser.Parse(yaml)), recorded.Start, T0, recorded.Events, recorded.Timeline, recorded.Final.Status);

        // Assert
        Assert.True(report.Identical, report.FirstDivergence?.ToString());
        Assert.Equal(recorded.Events.Count + 1, report.Decisions);
        Assert.Equal(WardenJson.Serialize(recorded.Final), WardenJson.Serialize(report.FinalState));
    }

    [Fact]
    public void Replay_ChangedPrompt_ReportsFirstDivergence()
    {
        // Arrange: the recorded run, then the graph with b's prompt changed (b now goes to its provider differently).
        var recorded = Record(TestGraphs.Sequential);
        var changed = TestGraphs.Sequential.Replace("Code {{nodes.a.output}}", "Write tests for {{nodes.a.output}}", StringComparison.Ordinal)
            .Replace("role: coder", "role: writer", StringComparison.Ordinal);

        // Act
        var report = ExactReplayer.Replay(new RunDecider(GraphParser.Parse(changed)), recorded.Start, T0, recorded.Events, recorded.Timeline, recorded.Final.Status);

        // Assert: the first entry that differs is b's start, produced by the guardrails' answer that let b run.
        Assert.False(report.Identical);
        var divergence = Assert.IsType<ReplayDivergence>(report.FirstDivergence);
        Assert.Contains("node.started node=b", divergence.Expected, StringComparison.Ordinal);
        Assert.Contains("role=coder", divergence.Expected, StringComparison.Ordinal);
        Assert.Contains("role=writer", divergence.Actual, StringComparison.Ordinal);
        Assert.Equal(recorded.Timeline.ToList().FindIndex(e => e.Type == "node.started" && e.NodeId == "b"), divergence.TimelineIndex);
        Assert.Equal("b", Assert.IsType<GuardrailAnswered>(recorded.Events[divergence.EventIndex - 1].Event).NodeId);
    }

    [Fact]
    public void Replay_EventTheGraphCannotTake_ReportsRejection()
    {
        // Arrange: a recorded approval for a graph whose new version has no such gate is simply stale; a stop after the run
        // ended is rejected, which the replayer reports as the divergence it is.
        var recorded = Record(TestGraphs.Sequential);
        var events = recorded.Events.Append(new RecordedEvent(T0.AddHours(1), new SignalReceived(SignalKind.Stop, "ops"))).ToList();

        // Act
        var report = ExactReplayer.Replay(new RunDecider(GraphParser.Parse(TestGraphs.Sequential)), recorded.Start, T0, events, recorded.Timeline);

        // Assert
        Assert.False(report.Identical);
        Assert.Equal(events.Count, report.FirstDivergence!.EventIndex);
        Assert.Contains("RUN_FINISHED", report.FirstDivergence.Actual, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RecordedRun_KeysEachResponseByNodeVisitAndPrompt()
    {
        // Arrange
        var recorded = Record(TestGraphs.Sequential);
        var decider = new RunDecider(GraphParser.Parse(TestGraphs.Sequential));

        // Act
        var recording = RecordingBuilder.Build(decider, recorded.Start, T0, recorded.Events, recorded.Final.Status, recorded.Final.Output);
        var index = new RecordingIndex(recording);

        // Assert: one call per node, found again by the prompt the decider renders for it in another run.
        Assert.Equal(["a", "b", "c"], recording.Calls.Select(c => c.Node));
        Assert.Equal("Plan demo", recording.Calls[0].Prompt);
        Assert.Equal("output of a/1", index.Find("a", 1, PromptKey.Hash("Plan demo", "another-run"))?.Output);
        Assert.Null(index.Find("a", 2, PromptKey.Hash("Plan demo", "another-run")));
        Assert.Null(index.Find("a", 1, PromptKey.Hash("Plan something else", "another-run")));
        Assert.Equal(RunStatus.Completed, recording.Status);
    }

    [Fact]
    public void Hash_PromptNamingItsRun_MatchesTheSamePromptOfAnotherRun()
    {
        Assert.Equal(PromptKey.Hash("run run-1 says hi", "run-1"), PromptKey.Hash("run run-2 says hi", "run-2"));
        Assert.NotEqual(PromptKey.Hash("hi", "run-1"), PromptKey.Hash("hello", "run-1"));
    }

    /// <summary>Drives a run as an engine would, every guardrail admitting and every step succeeding, one second apart.</summary>
    private static (RunStart Start, List<RecordedEvent> Events, List<TimelineEntry> Timeline, RunState Final) Record(string yaml)
    {
        var decider = new RunDecider(GraphParser.Parse(yaml));
        var start = new RunStart("run-1", "tenant", "graph", 1, """{"task":"demo"}""", 7);
        var events = new List<RecordedEvent>();
        var timeline = new List<TimelineEntry>();
        var pending = new Queue<RunEvent>();
        var decision = decider.Start(start, new RunContext(T0));
        var now = T0;
        while (true)
        {
            timeline.AddRange(RunHarness.Timeline(decision.Commands));
            foreach (var command in decision.Commands)
            {
                if (command is AskGuardrails ask)
                {
                    pending.Enqueue(new GuardrailAnswered(ask.NodeId, ask.Visit, ask.Attempt, AdmissionVerdict.Admitted, ask.Candidates));
                }
                else if (command is ExecuteNode { Invocation: var inv })
                {
                    pending.Enqueue(new NodeSucceeded(inv.NodeId, inv.Visit, inv.Attempt, $"output of {inv.NodeId}/{inv.Visit}", new Usage(10, 5, 0.001m), "mock", "mock-1", 5));
                }
            }

            if (!pending.TryDequeue(out var next))
            {
                return (start, events, timeline, decision.State);
            }

            now = now.AddSeconds(1);
            var state = decision.State;
            decision = decider.Apply(state, next, new RunContext(now));
            Assert.False(decision.Rejected);
            events.Add(new RecordedEvent(now, next));
        }
    }
}
