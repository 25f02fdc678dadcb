using Shouldly;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Functions.Tests.Engines;

/// <summary>
/// Both engines drive the same decider, so the same graph, input and seed must give the same run on both: the same
/// steps (each node's attempts and outcomes), the same output and the same tokens and cost. Only times, and the
/// interleaving of parallel branches, may differ.
/// </summary>
[Collection(AzuriteServer.Collection)]
public sealed class EnginesAgreeTests(AzuriteServer azurite)
{
    public static TheoryData<string> Graphs() => ["research-to-code", "diamond", "failure-route", "failure-loop", "flaky"];

    [Theory]
    [MemberData(nameof(Graphs))]
    public async Task Run_SameGraphInputAndSeed_SameStepsOutputAndUsageOnBothEngines(string graph)
    {
        var yaml = graph switch
        {
            "research-to-code" => await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "examples", "research-to-code.yaml")),
            "diamond" => Scenarios.Diamond,
            "failure-route" => Scenarios.FailureRoute,
            "failure-loop" => Scenarios.FailureLoop,
            "flaky" => Scenarios.Flaky(failFirst: 2, maxAttempts: 3),
            _ => throw new ArgumentOutOfRangeException(nameof(graph), graph, "no such graph"),
        };
        const string input = """{"task":"Write a function that merges two sorted lists"}""";

        RunSummary embedded, durable;
        await using (var host = await EmbeddedEngineHost.StartAsync(new Dictionary<string, string?>()))
        {
            embedded = await RunSummary.OfAsync(host, await host.RunToEndAsync(yaml, input, seed: 1234));
        }

        await using (var host = await DurableEngineHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>()))
        {
            durable = await RunSummary.OfAsync(host, await host.RunToEndAsync(yaml, input, seed: 1234));
        }

        durable.Status.ShouldBe(embedded.Status);
        durable.Output.ShouldBe(embedded.Output);
        durable.Steps.ShouldBe(embedded.Steps);
        (durable.InputTokens, durable.OutputTokens, durable.CostUsd).ShouldBe((embedded.InputTokens, embedded.OutputTokens, embedded.CostUsd));
        embedded.Steps.Count.ShouldBeGreaterThan(3);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("the repository root (Functions.sln) is not above the test's output directory");
    }

    /// <summary>A run without its times: per node, its steps in order (parallel branches interleave freely, a node's own steps do not).</summary>
    private sealed record RunSummary(string Status, string? Output, long InputTokens, long OutputTokens, string CostUsd, IReadOnlyList<string> Steps)
    {
        public static async Task<RunSummary> OfAsync(IEngineHost host, Runtime.Storage.RunRecord run)
        {
            var timeline = await host.TimelineAsync(run.Id);
            var steps = timeline
                .Where(e => e.NodeId is not null)
                .GroupBy(e => e.NodeId!, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .SelectMany(g => g.Select(e => $"{g.Key}:{e.Type}:{e.Attempt}"))
                .Concat(timeline.Where(e => e.NodeId is null).Select(e => e.Type))
                .ToList();
            return new RunSummary(run.Status, run.Output, run.InputTokens, run.OutputTokens, run.CostUsd, steps);
        }
    }
}
