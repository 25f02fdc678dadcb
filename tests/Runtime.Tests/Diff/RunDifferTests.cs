using Shouldly;
using Warden.Runtime.Diff;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Diff;

/// <summary>Runs on the real embedded engine compared from their stored traces.</summary>
public sealed class RunDifferTests : IAsyncLifetime
{
    private TestWarden _warden = null!;

    public async Task InitializeAsync() => _warden = await TestWarden.StartAsync();

    public async Task DisposeAsync() => await _warden.DisposeAsync();

    [Fact]
    public async Task Compare_SameGraphDifferentSeeds_NodesChangedWithLineDiffAndScoreBelowOne()
    {
        await _warden.UploadAsync(Graphs.Sequential(name: "seeds", nodes: 2));
        var a = await RunAsync("seeds", seed: 1);
        var b = await RunAsync("seeds", seed: 2);

        var diff = RunDiffer.Compare(a, b);

        diff.Identical.ShouldBeFalse();
        diff.Path.Same.ShouldBeTrue();
        diff.Nodes.Select(n => n.NodeId).ShouldBe(["n1", "n2"]);
        var changed = diff.Nodes.Where(n => n.Change == "changed").ToList();
        changed.ShouldNotBeEmpty();
        changed.ShouldAllBe(n => n.OutputDiff != null && n.OutputDiff.Any(l => l.Op == "+") && n.OutputDiff.Any(l => l.Op == "-"));
        changed.ShouldAllBe(n => n.Similarity > 0 && n.Similarity < 1);
        diff.Similarity.ShouldBeLessThan(1);
        diff.Similarity.ShouldBeGreaterThan(0);
        diff.Deltas.TotalTokens.ShouldBe(b.Run.InputTokens + b.Run.OutputTokens - a.Run.InputTokens - a.Run.OutputTokens);
    }

    [Fact]
    public async Task Compare_RunWithItself_SimilarityOneAndNoChanges()
    {
        await _warden.UploadAsync(Graphs.Sequential(name: "self", nodes: 3));
        var a = await RunAsync("self", seed: 5);

        var diff = RunDiffer.Compare(a, a);

        diff.Similarity.ShouldBe(1);
        diff.Identical.ShouldBeTrue();
        diff.StatusChanged.ShouldBeFalse();
        diff.Nodes.ShouldAllBe(n => n.Change == "unchanged" && n.Similarity == 1 && n.OutputDiff == null && n.TokensDelta == 0);
        diff.Governance.Changes.ShouldBeEmpty();
        diff.Deltas.ShouldBe(new RunDeltas(0, 0, 0, 0m, 0));
    }

    [Fact]
    public async Task Compare_VersionTwoAddsANode_NodeShownAsAddedAndScored()
    {
        await _warden.UploadAsync(Graphs.Sequential(name: "grow", nodes: 2));
        var v1 = await RunAsync("grow", seed: 3);
        (await _warden.UploadAsync(Graphs.Sequential(name: "grow", nodes: 3))).ShouldBe(2);
        var v2 = await RunAsync("grow", seed: 3);

        var diff = RunDiffer.Compare(v1, v2);

        v2.Run.GraphVersion.ShouldBe(2);
        diff.Path.Added.ShouldBe(["n3"]);
        diff.Path.Removed.ShouldBeEmpty();
        var added = diff.Nodes.Single(n => n.NodeId == "n3");
        added.Change.ShouldBe("added");
        added.StatusA.ShouldBeNull();
        added.StatusB.ShouldBe("succeeded");
        added.Similarity.ShouldBe(0);
        diff.Nodes.Single(n => n.NodeId == "n1").Change.ShouldBe("unchanged");
        diff.Similarity.ShouldBeLessThan(1);
        diff.Deltas.TotalTokens.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Compare_AcrossGraphs_SharedNodesMatchedByIdOthersAddedOrRemoved()
    {
        await _warden.UploadAsync(Graphs.Sequential(name: "left", nodes: 3));
        await _warden.UploadAsync(Graphs.Gate);
        var left = await RunAsync("left", seed: 1);
        var gated = await LoadAsync((await _warden.StartAsync("gated", """{"task":"t"}""")).RunId, r => r.Status == "running" && r.State.Contains("waiting_approval", StringComparison.Ordinal));

        var diff = RunDiffer.Compare(left, gated);

        diff.StatusChanged.ShouldBeTrue();
        diff.Path.Removed.ShouldBe(["n1", "n2", "n3"]);
        diff.Path.Added.ShouldBe(["plan", "gate"]);
        diff.Governance.Changes.ShouldContain(c => c.Kind == "approval.requested" && c.A == 0 && c.B == 1);
        diff.Similarity.ShouldBe(0);
    }

    [Fact]
    public async Task Compare_OneRunRedactedOneNot_GovernanceChangeNamesTheKind()
    {
        await _warden.UploadAsync(Graphs.Sequential(name: "screened", nodes: 1));
        var clean = await RunAsync("screened", seed: 1);
        var redacted = await RunAsync("screened", seed: 1, input: """{"task":"mail jane.doe@example.com"}""");

        var diff = RunDiffer.Compare(clean, redacted);

        diff.Governance.A.ContainsKey("redaction.email").ShouldBeFalse();
        diff.Governance.B["redaction.email"].ShouldBe(1);
        diff.Governance.Changes.ShouldContain(new GovernanceChange("redaction.email", 0, 1));
        diff.Identical.ShouldBeFalse();
    }

    [Fact]
    public async Task Compare_OneRunBrokeItsContractOnce_GovernanceCountsTheViolation()
    {
        const string Contracted = """
            name: contracted-{0}
            nodes:
              - id: plan
                role: planner
                prompt: "{{{{input.task}}}}"
                contract: {{ output_schema: {{ type: string, pattern: "^Plan for " }} }}
                retry: {{ max_attempts: 2, initial_backoff: 10ms, max_backoff: 20ms }}
                mock: {{ replies: [{1}] }}
            """;
        await _warden.UploadAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, Contracted, "held", string.Empty));
        await _warden.UploadAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, Contracted, "retried", "'no plan here'"));
        var held = await RunAsync("contracted-held", seed: 1);
        var retried = await RunAsync("contracted-retried", seed: 1);

        var diff = RunDiffer.Compare(held, retried);

        retried.Run.Status.ShouldBe("completed");
        diff.Governance.Changes.ShouldContain(new GovernanceChange("contract.violated", 0, 1));
    }

    private async Task<RunTrace> RunAsync(string graph, long seed, string input = """{"task":"sort numbers"}""")
    {
        var started = await _warden.StartAsync(graph, input, seed: seed);
        await _warden.WaitForEndAsync(started.RunId);
        return (await RunTrace.LoadAsync(_warden.Runs, "demo", started.RunId, CancellationToken.None))!;
    }

    private async Task<RunTrace> LoadAsync(string runId, Func<Warden.Runtime.Storage.RunRecord, bool> condition)
    {
        await _warden.WaitForAsync(runId, condition);
        return (await RunTrace.LoadAsync(_warden.Runs, "demo", runId, CancellationToken.None))!;
    }
}
