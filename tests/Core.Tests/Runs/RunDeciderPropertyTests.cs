using FsCheck;
using FsCheck.Fluent;
using Shouldly;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Core.Serialization;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Runs;

/// <summary>A graph, a run seed and a script of environment moves.</summary>
public sealed record Scenario(string GraphName, string Yaml, long Seed, IReadOnlyList<SimStep> Script)
{
    public override string ToString() =>
        $"graph {GraphName}, seed {Seed}, script [{RunSimulator.Describe(Script)}]\n{Yaml}";
}

/// <summary>
/// Properties of the decider over random event sequences applied to fixed and generated graphs by a simulator
/// that answers ExecuteNode / StartTimer in random order.
/// </summary>
public class RunDeciderPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300).WithEndSize(80);

    private static readonly (string Name, string Yaml)[] FixedGraphs =
    [
        .. TestGraphs.Names.Select(n => (n, TestGraphs.Get(n))),
        ("research-to-code", RepoFiles.Read("examples/research-to-code.yaml")),
        ("ops-copilot", RepoFiles.Read("examples/ops-copilot.yaml")),
    ];

    private static Gen<SimStep> StepGen { get; } =
        from action in Gen.Frequency(
            (12, Gen.Constant(SimAction.Succeed)),
            (3, Gen.Constant(SimAction.FailRetryable)),
            (1, Gen.Constant(SimAction.FailFatal)),
            (4, Gen.Constant(SimAction.FireTimer)),
            (3, Gen.Constant(SimAction.Approve)),
            (1, Gen.Constant(SimAction.Reject)),
            (1, Gen.Constant(SimAction.Pause)),
            (2, Gen.Constant(SimAction.Resume)),
            (3, Gen.Constant(SimAction.Redeliver)))
        from pick in Gen.Choose(0, 1_000)
        from variant in Gen.Choose(0, 9)
        select new SimStep(action, pick, variant);

    private static Gen<SimStep> StepWithStopGen { get; } =
        Gen.Frequency((40, StepGen), (1, Gen.Constant(new SimStep(SimAction.Stop, 0, 0))));

    private static Gen<(string Name, string Yaml)> GraphGen { get; } =
        Gen.OneOf(
            Gen.Elements(FixedGraphs),
            Gen.Choose(0, 1_000_000).Select(seed => ($"random-{seed}", RandomGraphs.Yaml(seed))));

    private static Arbitrary<Scenario> Scenarios(Gen<SimStep> steps) =>
        (from graph in GraphGen
         from seed in Gen.Choose(0, 10_000)
         from script in steps.ListOf()
         select new Scenario(graph.Name, graph.Yaml, seed, script)).ToArbitrary();

    private static RunSimulator Simulate(Scenario scenario, Action<RunState, RunEvent, RunContext>? before = null, Action<RunState, RunEvent, RunContext, Decision>? after = null)
    {
        var sim = new RunSimulator(GraphParser.Parse(scenario.Yaml), scenario.Seed) { BeforeApply = before, AfterApply = after };
        sim.Run(scenario.Script);
        return sim;
    }

    [Fact]
    public void RandomGraphs_Generated_AreValid()
    {
        // Arrange + Act + Assert: a generator that made invalid graphs would weaken every property below.
        Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var graph = GraphParser.Parse(RandomGraphs.Yaml(seed));
            graph.Nodes.Count.ShouldBeInRange(2, 6);
        }).Check(Config);
    }

    [Fact]
    public void Apply_SameStartAndEvents_IsDeterministic()
    {
        // Arrange
        var arb = Scenarios(StepWithStopGen);

        // Act + Assert
        Prop.ForAll(arb, scenario =>
        {
            var first = Simulate(scenario);
            first.Drain();
            var second = Simulate(scenario);
            second.Drain();

            second.Trace.Count.ShouldBe(first.Trace.Count);
            for (var i = 0; i < first.Trace.Count; i++)
            {
                second.Trace[i].ShouldBe(first.Trace[i], $"decision {i} differs");
            }

            WardenJson.Serialize(second.State).ShouldBe(WardenJson.Serialize(first.State));
        }).Check(Config);
    }

    [Fact]
    public void Apply_FromPersistedState_DecidesTheSameAsFromMemory()
    {
        // Arrange: every decision is repeated on a state that went through JSON, as an engine reloading it would.
        var arb = Scenarios(StepWithStopGen);

        // Act + Assert
        Prop.ForAll(arb, scenario =>
        {
            var sim = Simulate(scenario, after: (before, evt, ctx, decision) =>
            {
                var reloaded = WardenJson.Deserialize<RunState>(WardenJson.Serialize(before));
                var decider = new RunDecider(GraphParser.Parse(scenario.Yaml));
                var replay = Admission.AdmitAll(decider, decider.Apply(reloaded, evt, ctx), ctx);
                WardenJson.Serialize(replay.State).ShouldBe(WardenJson.Serialize(decision.State));
                WardenJson.Serialize(replay.Commands).ShouldBe(WardenJson.Serialize(decision.Commands));
            });
            sim.Drain();
        }).Check(Config);
    }

    [Fact]
    public void Apply_AnyEvent_NeverMutatesInputState()
    {
        // Arrange
        var arb = Scenarios(StepWithStopGen);
        string? snapshot = null;

        // Act + Assert
        Prop.ForAll(arb, scenario =>
        {
            var sim = Simulate(
                scenario,
                before: (state, _, _) => snapshot = WardenJson.Serialize(state),
                after: (state, _, _, _) => WardenJson.Serialize(state).ShouldBe(snapshot));
            sim.Drain();
        }).Check(Config);
    }

    [Fact]
    public void Apply_RunToTheEnd_EndsEveryStartedNodeExactlyOnce()
    {
        // Arrange
        var arb = Scenarios(StepWithStopGen);

        // Act + Assert
        Prop.ForAll(arb, scenario =>
        {
            var sim = Simulate(scenario);
            sim.Drain();

            sim.State.Status.IsTerminal().ShouldBeTrue();
            sim.State.Nodes.Values.ShouldAllBe(n => !n.Status.IsActive());
            sim.Commands.OfType<FinishRun>().Count().ShouldBe(1);
            TimelineAudit.Check(RunHarness.Timeline(sim.Commands));
        }).Check(Config);
    }

    [Fact]
    public void Apply_StopOnAnyLiveState_EndsStoppedWithNoActiveNodes()
    {
        // Arrange: stop is tried on every state the run passes through.
        var arb = Scenarios(StepGen);
        var tried = 0;

        // Act + Assert
        Prop.ForAll(arb, scenario =>
        {
            var sim = Simulate(scenario, after: (_, _, ctx, decision) =>
            {
                if (decision.State.Status.IsTerminal())
                {
                    return;
                }

                tried++;
                var active = decision.State.Nodes.Where(kv => kv.Value.Status.IsActive()).Select(kv => kv.Key).ToList();
                var json = WardenJson.Serialize(decision.State);
                var stop = new RunDecider(GraphParser.Parse(scenario.Yaml))
                    .Apply(decision.State, new SignalReceived(SignalKind.Stop, "prop"), new RunContext(ctx.Now.AddSeconds(1)));

                stop.Rejected.ShouldBeFalse();
                stop.State.Status.ShouldBe(RunStatus.Stopped);
                stop.State.Nodes.Values.ShouldAllBe(n => !n.Status.IsActive());
                active.ShouldAllBe(id => stop.State.Nodes[id].Status == NodeStatus.Cancelled);
                stop.Commands.OfType<FinishRun>().Single().Status.ShouldBe(RunStatus.Stopped);
                stop.Commands.OfType<ExecuteNode>().ShouldBeEmpty();
                stop.Commands.OfType<StartTimer>().ShouldBeEmpty();
                WardenJson.Serialize(decision.State).ShouldBe(json);
            });
            sim.Drain();
        }).Check(Config);

        tried.ShouldBeGreaterThan(300);
    }
}
