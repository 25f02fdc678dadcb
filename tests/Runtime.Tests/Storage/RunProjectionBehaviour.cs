using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Core.Serialization;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

/// <summary>
/// The projection a Durable orchestration writes, read back through the stores the API reads: the same cases on every
/// backend (SQLite for the embedded host, Azure Table Storage for the Functions host).
/// </summary>
public abstract class RunProjectionBehaviour
{
    protected static readonly DateTimeOffset T0 = new(2026, 8, 14, 9, 0, 0, TimeSpan.Zero);
    private readonly RunDecider _decider = new(GraphParser.Parse(Graphs.Gate));
    private readonly RunStart _start = new("run_p", "t1", "gated", 1, """{"task":"x"}""", 5);
    private static readonly string[] Alphabet = [.. "abcdefghijklmnopqrstuvwxyz0123456789 ".Select(c => c.ToString()), "ü", "é", "\U0001F600", "\u4E2D"];
    private IRunProjection? _projection;

    protected IRunProjection Projection => _projection ??= NewProjection();

    protected abstract IRunStore Runs { get; }

    protected abstract IUsageStore Usage { get; }

    /// <summary>Another writer on the same store: a second Functions instance.</summary>
    protected abstract IRunProjection NewProjection();

    [Fact]
    public async Task CreateRun_NewRun_IsReadableAsRunningBeforeItsFirstDecision()
    {
        // Act
        await Projection.CreateRunAsync(_start, T0);
        await Projection.CreateRunAsync(_start, T0.AddSeconds(5));

        // Assert
        var run = (await Runs.GetAsync("t1", "run_p")).ShouldNotBeNull();
        run.Status.ShouldBe("running");
        run.GraphVersion.ShouldBe(1);
        run.Input.ShouldBe(_start.Input);
        run.CreatedAt.ShouldBe(T0.ToString("O"));
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
        run.UpdatedAt.ShouldBe(T0.AddSeconds(2).ToString("O"));
        ParseState(run).Nodes["gate"].Status.ShouldBe(NodeStatus.WaitingApproval);
        var events = await Runs.ListEventsAsync("t1", "run_p", 0, 100);
        events.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, events.Count).Select(i => (long)i));
        events[0].Type.ShouldBe("run.started");
        events[^1].Type.ShouldBe("approval.requested");
        var approval = (await Runs.ListApprovalsAsync("t1", "run_p", "pending")).ShouldHaveSingleItem();
        approval.Id.ShouldBe(state.Nodes["gate"].ApprovalId);
        approval.RequestedAt.ShouldBe(T0.AddSeconds(2).ToString("O"));
        (await Runs.GetApprovalAsync("t1", approval.Id)).ShouldNotBeNull().NodeId.ShouldBe("gate");
        (await Runs.ListApprovalsAsync("t1", null, "pending")).ShouldHaveSingleItem().Id.ShouldBe(approval.Id);
    }

    [Fact]
    public async Task Apply_RepeatedOrOlderUpdate_ChangesNothing()
    {
        // Arrange: every update written once, then all of them again, newest first (activities that ran twice, late).
        await Projection.CreateRunAsync(_start, T0);
        var (updates, _) = DecideUntilGate();
        foreach (var update in updates)
        {
            await Projection.ApplyAsync(update);
        }

        var before = (await Runs.GetAsync("t1", "run_p"))!;
        var eventsBefore = await Runs.ListEventsAsync("t1", "run_p", 0, 100);

        // Act
        foreach (var update in Enumerable.Reverse(updates))
        {
            await NewProjection().ApplyAsync(update);
        }

        // Assert
        var after = (await Runs.GetAsync("t1", "run_p"))!;
        after.State.ShouldBe(before.State);
        after.UpdatedAt.ShouldBe(before.UpdatedAt);
        var eventsAfter = await Runs.ListEventsAsync("t1", "run_p", 0, 100);
        eventsAfter.Count.ShouldBe(updates.Sum(u => u.Commands.OfType<AppendTimeline>().Sum(t => t.Entries.Count)));
        eventsAfter.Select(Describe).ShouldBe(eventsBefore.Select(Describe));
        (await Runs.ListTenantEventsAsync("t1", TimelinePosition.Start, 100)).Count.ShouldBe(eventsAfter.Count);
        (await Runs.ListApprovalsAsync("t1", "run_p", null)).ShouldHaveSingleItem().Status.ShouldBe("pending");
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
        var decided = new RunProjectionUpdate(approve.State, updates.Count + 1, EventCount(updates), approve.Commands);

        // Act: the decision, again, and the request that came before it, late.
        await Projection.ApplyAsync(decided);
        await Projection.ApplyAsync(decided);
        await Projection.ApplyAsync(updates[^1]);

        // Assert
        var approval = (await Runs.ListApprovalsAsync("t1", "run_p", null)).ShouldHaveSingleItem();
        approval.Status.ShouldBe("approved");
        approval.DecidedBy.ShouldBe("bob");
        approval.Comment.ShouldBe("fine");
        approval.DecidedAt.ShouldBe(T0.AddSeconds(3).ToString("O"));
        (await Runs.ListApprovalsAsync("t1", null, "pending")).ShouldBeEmpty();
        var governance = await Usage.GovernanceAsync("t1", T0.AddMinutes(-1), T0.AddMinutes(1));
        governance.ApprovalsByStatus.ShouldBe(new Dictionary<string, long> { ["approved"] = 1 });
        governance.EventsByKind["approval.approved"].ShouldBe(1);
        governance.PerDay.ShouldContain(c => c.Day == "2026-08-14" && c.Kind == "approval.approved" && c.Count == 1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Apply_TwoWritersWithConsecutiveVersions_LeavesTheNewerInEitherOrder(bool newerFirst)
    {
        // Arrange
        await Projection.CreateRunAsync(_start, T0);
        var (updates, _) = DecideUntilGate();
        await Projection.ApplyAsync(updates[0]);
        var (older, newer) = (updates[1], updates[2]);
        var other = NewProjection();

        // Act
        if (newerFirst)
        {
            await other.ApplyAsync(newer);
            await Projection.ApplyAsync(older);
        }
        else
        {
            await Projection.ApplyAsync(older);
            await other.ApplyAsync(newer);
        }

        // Assert
        var run = (await Runs.GetAsync("t1", "run_p")).ShouldNotBeNull();
        run.UpdatedAt.ShouldBe(newer.State.UpdatedAt.ToString("O"));
        ParseState(run).Nodes["gate"].Status.ShouldBe(NodeStatus.WaitingApproval);
        (await Runs.ListEventsAsync("t1", "run_p", 0, 100)).Select(e => e.Seq).ShouldBe(Enumerable.Range(1, EventCount(updates)).Select(i => (long)i));
    }

    [Fact]
    public async Task Apply_TwoWritersConcurrentlyOutOfOrder_NewestWinsAndTheTimelineHasNoGapsOrDuplicates()
    {
        // Arrange: 30 decisions of two entries each, shuffled, split between two writers, with some applied by both.
        await Projection.CreateRunAsync(_start, T0);
        var updates = Synthetic(_start, 30, 2);
        var shuffled = updates.OrderBy(_ => Random.Shared.Next()).ToList();
        var first = shuffled.Where((_, i) => i % 2 == 0).Concat(shuffled.Take(5)).ToList();
        var second = shuffled.Where((_, i) => i % 2 == 1).Concat(shuffled.TakeLast(5)).ToList();
        var a = NewProjection();
        var b = NewProjection();

        // Act
        await Task.WhenAll(ApplyAllAsync(a, first), ApplyAllAsync(b, second));

        // Assert
        var run = (await Runs.GetAsync("t1", "run_p")).ShouldNotBeNull();
        run.UpdatedAt.ShouldBe(updates[^1].State.UpdatedAt.ToString("O"));
        ParseState(run).UpdatedAt.ShouldBe(updates[^1].State.UpdatedAt);
        var events = await Runs.ListEventsAsync("t1", "run_p", 0, 1000);
        events.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, 60).Select(i => (long)i));
        events.Select(e => e.Type).ShouldBe(Enumerable.Range(1, 60).Select(i => $"step.{(i + 1) / 2}"));
        var merged = await Runs.ListTenantEventsAsync("t1", TimelinePosition.Start, 1000);
        merged.Select(e => e.Seq).Order().ShouldBe(Enumerable.Range(1, 60).Select(i => (long)i));

        static async Task ApplyAllAsync(IRunProjection writer, List<RunProjectionUpdate> batch)
        {
            foreach (var update in batch)
            {
                await writer.ApplyAsync(update);
            }
        }
    }

    [Fact]
    public async Task ListRuns_ManyRuns_PagesNewestFirstWithFilters()
    {
        // Arrange: run_1 and run_12 start at the same instant, so the id breaks the tie (descending).
        await SeedRunAsync("run_a", "g1", T0, RunStatus.Completed, "plan");
        await SeedRunAsync("run_b", "g2", T0.AddMinutes(1), RunStatus.Running, "act");
        await SeedRunAsync("run_c", "g1", T0.AddMinutes(2), RunStatus.Failed, "plan");
        await SeedRunAsync("run_1", "g1", T0.AddMinutes(3), RunStatus.Completed, null);
        await SeedRunAsync("run_12", "g1", T0.AddMinutes(3), RunStatus.Completed, "plan");
        await SeedRunAsync("run_d", "g2", T0.AddMinutes(4), RunStatus.Completed, "plan");
        await SeedRunAsync("run_x", "g1", T0.AddMinutes(5), RunStatus.Completed, "plan", tenant: "t2");

        // Act + Assert
        (await AllPagesAsync(new RunQuery(Limit: 2))).ShouldBe([["run_d", "run_12"], ["run_1", "run_c"], ["run_b", "run_a"]]);
        (await AllPagesAsync(new RunQuery(GraphId: "g1", Limit: 2))).ShouldBe([["run_12", "run_1"], ["run_c", "run_a"]]);
        (await AllPagesAsync(new RunQuery(Status: "completed", Limit: 3))).ShouldBe([["run_d", "run_12", "run_1"], ["run_a"]]);
        (await AllPagesAsync(new RunQuery(Since: T0.AddMinutes(1), Until: T0.AddMinutes(3)))).ShouldBe([["run_c", "run_b"]]);
        (await AllPagesAsync(new RunQuery(Node: "plan", Limit: 2))).ShouldBe([["run_d", "run_12"], ["run_c", "run_a"]]);
        (await AllPagesAsync(new RunQuery(Node: "plan", GraphId: "g1", Status: "completed", Limit: 1))).ShouldBe([["run_12"], ["run_a"]]);
        (await AllPagesAsync(new RunQuery(Node: "nobody"))).ShouldBe([[]]);
        var page = await Runs.ListAsync("t1", new RunQuery(Limit: 1));
        page.Items.ShouldHaveSingleItem().Status.ShouldBe("completed");
        page.Items[0].CreatedAt.ShouldBe(T0.AddMinutes(4).ToString("O"));
    }

    [Fact]
    public async Task ListEvents_AfterAndLimit_ReturnsTheNextSliceInSeqOrder()
    {
        // Arrange
        await Projection.CreateRunAsync(_start, T0);
        await Projection.ApplyAsync(Synthetic(_start, 1, 10)[0]);

        // Act
        var middle = await Runs.ListEventsAsync("t1", "run_p", 3, 4);
        var tail = await Runs.ListEventsAsync("t1", "run_p", 8, 5);
        var past = await Runs.ListEventsAsync("t1", "run_p", 10, 5);

        // Assert
        middle.Select(e => e.Seq).ShouldBe([4L, 5L, 6L, 7L]);
        middle[0].RunId.ShouldBe("run_p");
        middle[0].At.ShouldBe(T0.AddSeconds(1).ToString("O"));
        middle[0].Data.ShouldNotBeNull().ShouldContain("\"i\":\"4\"");
        tail.Select(e => e.Seq).ShouldBe([9L, 10L]);
        past.ShouldBeEmpty();
    }

    [Fact]
    public async Task ListTenantEvents_AfterAPosition_MergesTwoRunsInCommitOrder()
    {
        // Arrange: run_a logs at T1, T3, T5 and run_b at T2, T3, T4; at T3 the run id orders them.
        await Timeline("run_a", 1, 3, 5);
        await Timeline("run_b", 2, 3, 4);

        // Act
        var all = await Runs.ListTenantEventsAsync("t1", TimelinePosition.Start, 100);
        var afterThird = await Runs.ListTenantEventsAsync("t1", new TimelinePosition(all[2].At, all[2].RunId, all[2].Seq), 2);
        var fromT3 = await Runs.ListTenantEventsAsync("t1", new TimelinePosition(T0.AddSeconds(3).ToString("O"), string.Empty, 0), 100);

        // Assert
        all.Select(e => $"{e.RunId}#{e.Seq}").ShouldBe(["run_a#1", "run_b#1", "run_a#2", "run_b#2", "run_b#3", "run_a#3"]);
        afterThird.Select(e => $"{e.RunId}#{e.Seq}").ShouldBe(["run_b#2", "run_b#3"]);
        fromT3.Select(e => $"{e.RunId}#{e.Seq}").ShouldBe(["run_a#2", "run_b#2", "run_b#3", "run_a#3"]);
        (await Runs.ListTenantEventsAsync("t2", TimelinePosition.Start, 100)).ShouldBeEmpty();

        async Task Timeline(string runId, params int[] seconds)
        {
            var start = _start with { RunId = runId };
            await Projection.CreateRunAsync(start, T0);
            var state = new RunState { RunId = runId, TenantId = "t1", GraphId = "gated", GraphVersion = 1, StartedAt = T0, UpdatedAt = T0.AddSeconds(seconds[^1]) };
            await Projection.ApplyAsync(new RunProjectionUpdate(state, 1, 0, [new AppendTimeline(seconds.Select(s => new TimelineEntry("note", T0.AddSeconds(s))).ToList())]));
        }
    }

    [Fact]
    public async Task RecordUsage_SameAttemptTwice_CountsOnce()
    {
        // Arrange
        var inv = Invocation("run_p", "gated", "plan", 1);
        ProviderCall[] calls =
        [
            new("mock", "mock-1", null, false, true, "503", 4, Core.Costs.Usage.Zero),
            new("mock", "mock-1", null, true, false, null, 9, new Usage(100, 20, 0.001m)),
        ];

        // Act: the second try runs after midnight, and still counts once.
        await Projection.RecordUsageAsync(inv, calls, T0);
        await NewProjection().RecordUsageAsync(inv, calls, T0.AddDays(1));

        // Assert
        var summary = await Usage.SummaryAsync("t1", T0.AddMinutes(-1), T0.AddDays(2));
        summary.Calls.ShouldBe(2);
        summary.Errors.ShouldBe(1);
        summary.CostUsd.ShouldBe(0.001m);
    }

    [Fact]
    public async Task Usage_RowsOverTwoDays_GroupSummaryAndTimeseriesAggregateThem()
    {
        // Arrange
        await RecordUsageRowsAsync(Projection);

        // Act
        var from = T0.AddHours(-1);
        var to = T0.AddDays(2);
        var summary = await Usage.SummaryAsync("t1", from, to);
        var series = await Usage.TimeseriesAsync("t1", from, to, TimeSpan.FromDays(1));

        // Assert
        (summary.Calls, summary.Errors, summary.InputTokens, summary.OutputTokens, summary.CostUsd, summary.P50LatencyMs, summary.P95LatencyMs)
            .ShouldBe((4L, 2L, 310L, 70L, 0.011m, 10L, 50L));
        summary.ByProvider.ShouldBe([new UsageRow("mock", 2, 1, 100, 20, 0.001m, 7.0), new UsageRow("openai", 2, 1, 210, 50, 0.01m, 40.0)]);
        (await Usage.GroupAsync("t1", from, to, UsageGrouping.Provider)).Select(r => (r.Key, r.Calls)).ShouldBe([("mock", 2L), ("openai@eastus", 2L)]);
        (await Usage.GroupAsync("t1", from, to, UsageGrouping.Agent)).Select(r => (r.Key, r.Calls)).ShouldBe([("act", 1L), ("plan", 3L)]);
        (await Usage.GroupAsync("t1", from, to, UsageGrouping.Graph)).Select(r => (r.Key, r.Calls)).ShouldBe([("g1", 3L), ("g2", 1L)]);
        (await Usage.GroupAsync("t1", from, to, UsageGrouping.Model)).Select(r => (r.Key, r.Calls)).ShouldBe([("gpt-x", 2L), ("mock-1", 2L)]);
        (await Usage.GroupAsync("t1", from, to, UsageGrouping.Day)).Select(r => (r.Key, r.Calls)).ShouldBe([("2026-08-14", 3L), ("2026-08-15", 1L)]);
        series.ShouldBe(
        [
            new UsageBucket("2026-08-14T00:00:00.0000000+00:00", 3, 1, 370, 0.011m, 14.7),
            new UsageBucket("2026-08-15T00:00:00.0000000+00:00", 1, 1, 10, 0m, 50.0),
        ]);
        (await Usage.SummaryAsync("t1", T0, T0.AddHours(1))).Calls.ShouldBe(2); // the end of a range is exclusive
        (await Usage.SummaryAsync("t2", from, to)).Calls.ShouldBe(0);
    }

    [Fact]
    public async Task Reads_AnotherTenantsRun_AnswerNullOrEmpty()
    {
        // Arrange
        await Projection.CreateRunAsync(_start, T0);
        var (updates, state) = DecideUntilGate();
        foreach (var update in updates)
        {
            await Projection.ApplyAsync(update);
        }

        // Act + Assert
        (await Runs.GetAsync("t2", "run_p")).ShouldBeNull();
        (await Runs.ListAsync("t2", new RunQuery())).Items.ShouldBeEmpty();
        (await Runs.ListAsync("t2", new RunQuery(Node: "plan"))).Items.ShouldBeEmpty();
        (await Runs.ListEventsAsync("t2", "run_p", 0, 100)).ShouldBeEmpty();
        (await Runs.ListTenantEventsAsync("t2", TimelinePosition.Start, 100)).ShouldBeEmpty();
        (await Runs.ListApprovalsAsync("t2", "run_p", null)).ShouldBeEmpty();
        (await Runs.GetApprovalAsync("t2", state.Nodes["gate"].ApprovalId!)).ShouldBeNull();
        (await Usage.GovernanceAsync("t2", T0.AddDays(-1), T0.AddDays(1))).ApprovalsByStatus.ShouldBeEmpty();
    }

    [Fact]
    public async Task Apply_StateOfAbout200KB_RoundTrips()
    {
        // Arrange: a 100 K-character input and a node output as large, of random text (so it does not compress to one
        // part), with non-ASCII characters and surrogate pairs; the state holds both and is larger than 200 KB.
        var random = new Random(42);
        string Text(int length) => string.Concat(Enumerable.Range(0, length).Select(_ => Alphabet[random.Next(Alphabet.Length)]));
        var input = "{\"t\":\"" + Text(100_000) + "\"}";
        var start = _start with { Input = input };
        await Projection.CreateRunAsync(start, T0);
        var big = Text(100_000);
        var decision = _decider.Start(start, new RunContext(T0));
        decision = _decider.Apply(decision.State, new GuardrailAnswered("plan", 1, 1, AdmissionVerdict.Admitted, []), new RunContext(T0.AddSeconds(1)));
        decision = _decider.Apply(decision.State, new NodeSucceeded("plan", 1, 1, big, Core.Costs.Usage.Zero, "mock", "mock-1", 5), new RunContext(T0.AddSeconds(2)));

        // Act
        await Projection.ApplyAsync(new RunProjectionUpdate(decision.State, 1, 0, []));

        // Assert
        var run = (await Runs.GetAsync("t1", "run_p")).ShouldNotBeNull();
        run.Input.ShouldBe(input);
        System.Text.Encoding.UTF8.GetByteCount(run.State).ShouldBeGreaterThan(200_000);
        run.State.ShouldBe(WardenJson.Serialize(decision.State));
        ParseState(run).Nodes["plan"].Output.ShouldBe(big);
        (await Runs.ListAsync("t1", new RunQuery())).Items.ShouldHaveSingleItem().State.ShouldBe(run.State);
    }

    /// <summary>Four calls: two on day one at T0, one an hour later, one the next day; recorded twice.</summary>
    protected static async Task RecordUsageRowsAsync(IRunProjection projection)
    {
        for (var repeat = 0; repeat < 2; repeat++)
        {
            await projection.RecordUsageAsync(
                Invocation("run_u1", "g1", "plan", 1),
                [new("mock", "mock-1", null, false, true, "503", 4, Core.Costs.Usage.Zero), new("mock", "mock-1", null, true, false, null, 10, new Usage(100, 20, 0.001m))],
                T0);
            await projection.RecordUsageAsync(Invocation("run_u1", "g1", "act", 1), [new("openai", "gpt-x", "eastus", true, false, null, 30, new Usage(200, 50, 0.01m))], T0.AddHours(1));
            await projection.RecordUsageAsync(Invocation("run_u2", "g2", "plan", 1), [new("openai", "gpt-x", "eastus", false, false, "400", 50, new Usage(10, 0, 0m))], T0.AddDays(1));
        }
    }

    protected static NodeInvocation Invocation(string runId, string graphId, string nodeId, int attempt) =>
        new(runId, "t1", graphId, nodeId, 1, attempt, "planner", "Plan", "mock", "mock-1", TimeSpan.FromMinutes(1), MockSettings.None, 5);

    /// <summary>Decisions 1..count, each logging <paramref name="entries"/> entries "step.{version}" one second after the last.</summary>
    protected static List<RunProjectionUpdate> Synthetic(RunStart start, int count, int entries) => Enumerable.Range(1, count)
        .Select(v =>
        {
            var state = new RunState { RunId = start.RunId, TenantId = start.TenantId, GraphId = start.GraphId, GraphVersion = start.GraphVersion, Input = start.Input, StartedAt = T0, UpdatedAt = T0.AddSeconds(v) };
            var log = Enumerable.Range(1, entries).Select(i => new TimelineEntry($"step.{v}", T0.AddSeconds(v), Data: new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ToList();
            return new RunProjectionUpdate(state, v, (long)(v - 1) * entries, [new AppendTimeline(log)]);
        })
        .ToList();

    private async Task SeedRunAsync(string runId, string graphId, DateTimeOffset createdAt, RunStatus status, string? node, string tenant = "t1")
    {
        await Projection.CreateRunAsync(new RunStart(runId, tenant, graphId, 1, "{}", 1), createdAt);
        var state = new RunState { RunId = runId, TenantId = tenant, GraphId = graphId, GraphVersion = 1, Status = status, StartedAt = createdAt, UpdatedAt = createdAt.AddSeconds(1) };
        List<TimelineEntry> log = node is null ? [new TimelineEntry("run.started", createdAt)] : [new TimelineEntry("run.started", createdAt), new TimelineEntry("node.started", createdAt, node, 1)];
        await Projection.ApplyAsync(new RunProjectionUpdate(state, 1, 0, [new AppendTimeline(log)]));
    }

    private async Task<List<List<string>>> AllPagesAsync(RunQuery query)
    {
        var pages = new List<List<string>>();
        string? cursor = null;
        do
        {
            var page = await Runs.ListAsync("t1", query with { Cursor = cursor });
            pages.Add(page.Items.Select(r => r.Id).ToList());
            cursor = page.NextCursor;
        }
        while (cursor is not null && pages.Count < 10);

        return pages;
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
        decision = _decider.Apply(decision.State, new NodeSucceeded("plan", 1, 1, "the plan", Core.Costs.Usage.Zero, "mock", "mock-1", 5), new RunContext(T0.AddSeconds(2)));
        Add(decision);
        return (updates, decision.State);

        void Add(Decision d)
        {
            var projected = d.Commands.Where(c => c is AppendTimeline or RequestApproval or CloseApproval or EscalateApproval or FinishRun).ToList();
            updates.Add(new RunProjectionUpdate(d.State, updates.Count + 1, events, projected));
            events += projected.OfType<AppendTimeline>().Sum(t => t.Entries.Count);
        }
    }

    private static int EventCount(IEnumerable<RunProjectionUpdate> updates) => updates.Sum(u => u.Commands.OfType<AppendTimeline>().Sum(t => t.Entries.Count));

    private static string Describe(RunEventRecord e) => $"{e.Seq}|{e.At}|{e.Type}|{e.NodeId}|{e.Attempt}|{e.Data}";

    private static RunState ParseState(RunRecord run) => WardenJson.Deserialize<RunState>(run.State);
}
