using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

/// <summary>The projection a Durable orchestration writes, read back through the same store the API reads.</summary>
public sealed class SqliteRunProjectionTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 8, 14, 9, 0, 0, TimeSpan.Zero);
    private readonly SqliteDatabase _db = new(TestWarden.NewDataDirectory(), SqliteSynchronous.Normal);
    private readonly RunDecider _decider = new(GraphParser.Parse(Graphs.Gate));
    private readonly RunStart _start = new("run_p", "t1", "gated", 1, """{"task":"x"}""", 5);

    public void Dispose() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

    private SqliteRunProjection Projection => new(_db);

    private SqliteRunStore Runs => new(_db);

    [Fact]
    public async Task CreateRun_NewRun_IsReadableAsRunningBeforeItsFirstDecision()
    {
        // Act
        await Projection.CreateRunAsync(_start, T0);

        // Assert
        var run = (await Runs.GetAsync("t1", "run_p")).ShouldNotBeNull();
        run.Status.ShouldBe("running");
        run.GraphVersion.ShouldBe(1);
        run.Input.ShouldBe(_start.Input);
        (await Runs.GetAsync("t2", "run_p")).ShouldBeNull();
    }

    [Fact]
    public async Task Apply_DecisionsInOrder_WriteStateTimelineAndApprovals()
    {
        // Arrange
        await Projection.CreateRunAsync(_start, T0);
        var (updates, state) = DecideUntilGate();

        // Act
        foreach (var update in updates)
        {
            await Projection.ApplyAsync(update);
        }

        // Assert
        var run = (await Runs.GetAsync("t1", "run_p")).ShouldNotBeNull();
        run.Status.ShouldBe("running");
        WardenJsonState(run).Nodes["gate"].Status.ShouldBe(NodeStatus.WaitingApproval);
        var events = await Runs.ListEventsAsync("t1", "run_p", 0, 100);
        events.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, events.Count).Select(i => (long)i));
        events[0].Type.ShouldBe("run.started");
        events[^1].Type.ShouldBe("approval.requested");
        var approval = (await Runs.ListApprovalsAsync("t1", "run_p", "pending")).ShouldHaveSingleItem();
        approval.Id.ShouldBe(state.Nodes["gate"].ApprovalId);
        approval.RequestedAt.ShouldBe(T0.AddSeconds(2).ToString("O"));
    }

    [Fact]
    public async Task Apply_RepeatedOrOlderUpdate_ChangesNothing()
    {
        // Arrange: every update written once, then the first ones again (an activity that ran twice, late).
        await Projection.CreateRunAsync(_start, T0);
        var (updates, _) = DecideUntilGate();
        foreach (var update in updates)
        {
            await Projection.ApplyAsync(update);
        }

        var before = (await Runs.GetAsync("t1", "run_p"))!;

        // Act
        await Projection.ApplyAsync(updates[0]);
        await Projection.ApplyAsync(updates[^1]);

        // Assert
        var after = (await Runs.GetAsync("t1", "run_p"))!;
        after.State.ShouldBe(before.State);
        after.UpdatedAt.ShouldBe(before.UpdatedAt);
        (await Runs.ListEventsAsync("t1", "run_p", 0, 100)).Count.ShouldBe(updates.Sum(u => u.Commands.OfType<AppendTimeline>().Sum(t => t.Entries.Count)));
        (await Runs.ListApprovalsAsync("t1", "run_p", null)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Apply_ApprovalDecided_ClosesTheApprovalOnce()
    {
        // Arrange
        await Projection.CreateRunAsync(_start, T0);
        var (updates, state) = DecideUntilGate();
        foreach (var update in updates)
        {
            await Projection.ApplyAsync(update);
        }

        var approve = _decider.Apply(state, new SignalReceived(SignalKind.Approve, "bob", state.Nodes["gate"].ApprovalId, "fine"), new RunContext(T0.AddSeconds(3)));

        // Act
        await Projection.ApplyAsync(new RunProjectionUpdate(approve.State, updates.Count + 1, updates.Sum(u => u.Commands.OfType<AppendTimeline>().Sum(t => t.Entries.Count)), approve.Commands));

        // Assert
        var approval = (await Runs.ListApprovalsAsync("t1", "run_p", null)).ShouldHaveSingleItem();
        approval.Status.ShouldBe("approved");
        approval.DecidedBy.ShouldBe("bob");
        approval.Comment.ShouldBe("fine");
        approval.DecidedAt.ShouldBe(T0.AddSeconds(3).ToString("O"));
    }

    [Fact]
    public async Task RecordUsage_SameAttemptTwice_CountsOnce()
    {
        // Arrange
        var inv = new NodeInvocation("run_p", "t1", "gated", "plan", 1, 1, "planner", "Plan", "mock", "mock-1", TimeSpan.FromMinutes(1), MockSettings.None, 5);
        ProviderCall[] calls =
        [
            new("mock", "mock-1", null, false, true, "503", 4, Usage.Zero),
            new("mock", "mock-1", null, true, false, null, 9, new Usage(100, 20, 0.001m)),
        ];

        // Act
        await Projection.RecordUsageAsync(inv, calls, T0);
        await Projection.RecordUsageAsync(inv, calls, T0.AddSeconds(1));

        // Assert
        var summary = await new SqliteUsageStore(_db).SummaryAsync("t1", T0.AddMinutes(-1), T0.AddMinutes(1));
        summary.Calls.ShouldBe(2);
        summary.Errors.ShouldBe(1);
        summary.CostUsd.ShouldBe(0.001m);
    }

    /// <summary>Start, admit and finish "plan" so the run waits at the gate: the updates an orchestration would write.</summary>
    private (List<RunProjectionUpdate> Updates, RunState State) DecideUntilGate()
    {
        var updates = new List<RunProjectionUpdate>();
        long events = 0;
        var decision = _decider.Start(_start, new RunContext(T0));
        Add(decision);
        decision = _decider.Apply(decision.State, new GuardrailAnswered("plan", 1, 1, AdmissionVerdict.Admitted, []), new RunContext(T0.AddSeconds(1)));
        Add(decision);
        decision = _decider.Apply(decision.State, new NodeSucceeded("plan", 1, 1, "the plan", Usage.Zero, "mock", "mock-1", 5), new RunContext(T0.AddSeconds(2)));
        Add(decision);
        return (updates, decision.State);

        void Add(Decision d)
        {
            var projected = d.Commands.Where(c => c is AppendTimeline or RequestApproval or CloseApproval or EscalateApproval or FinishRun).ToList();
            updates.Add(new RunProjectionUpdate(d.State, updates.Count + 1, events, projected));
            events += projected.OfType<AppendTimeline>().Sum(t => t.Entries.Count);
        }
    }

    private static RunState WardenJsonState(RunRecord run) => Core.Serialization.WardenJson.Deserialize<RunState>(run.State);
}
