using System.Text.Json;
using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Runtime.Guardrails;
using Xunit;

namespace Warden.Runtime.Tests.Guardrails;

public class AdmissionPolicyTests
{
    private const string Graph = """
        name: regions
        nodes:
          - id: a
            role: executor
            prompt: go
            providers: [azure-openai:gpt-4o, openai:gpt-4o-mini@us]
          - id: gate
            kind: approval
            message: ok?
        edges:
          - a -> gate
        """;

    private static IEnumerable<ProviderChoice> Expand(ProviderChoice choice) =>
        choice.Provider == "azure-openai" && choice.Region is null
            ? [choice with { Region = "eastus" }, choice with { Region = "westeurope" }]
            : [choice];

    [Fact]
    public void For_Graph_CapturesRegionsPricesAndSettingsOfItsAgentNodes()
    {
        // Arrange
        var options = new GuardrailOptions { Strategy = ProviderStrategy.LowestCost, LlmCallsPerMinute = 30, ExpectedOutputTokens = 256 };

        // Act
        var policy = AdmissionPolicy.For(GraphParser.Parse(Graph), options, PriceTable.Default, Expand);

        // Assert
        policy.Strategy.ShouldBe(ProviderStrategy.LowestCost);
        policy.LlmCallsPerMinute.ShouldBe(30);
        policy.ExpectedOutputTokens.ShouldBe(256);
        policy.Prices.Keys.ShouldBe(["gpt-4o", "gpt-4o-mini"], ignoreOrder: true);
        policy.Expand(GraphParser.Parse(Graph).Nodes[0].Candidates).Select(c => c.ToString())
            .ShouldBe(["azure-openai:gpt-4o@eastus", "azure-openai:gpt-4o@westeurope", "openai:gpt-4o-mini@us"]);
    }

    [Fact]
    public void Policy_DefaultSystemTextJson_RoundTripsToTheSameAnswers()
    {
        // Arrange: the Functions worker's serializer is System.Text.Json with default options.
        var graph = GraphParser.Parse(Graph);
        var policy = AdmissionPolicy.For(graph, new GuardrailOptions(), PriceTable.Default, Expand);

        // Act
        var back = JsonSerializer.Deserialize<AdmissionPolicy>(JsonSerializer.Serialize(policy))!;

        // Assert
        back.Expand(graph.Nodes[0].Candidates).ShouldBe(policy.Expand(graph.Nodes[0].Candidates));
        back.PriceTable().Price("gpt-4o", 1000, 1000).ShouldBe(PriceTable.Default.Price("gpt-4o", 1000, 1000));
        back.PriceTable().Price("unknown-model", 1000, 1000).ShouldBe(PriceTable.Default.Price("unknown-model", 1000, 1000));
        back.Breaker.ShouldBe(policy.Breaker);
    }

    [Fact]
    public void Order_RoundRobin_RotatesByRunAndNodeLikeTheEmbeddedEngine()
    {
        // Arrange
        var candidates = new List<ProviderChoice> { new("a", "m", null), new("b", "m", null), new("c", "m", null) };

        // Act
        var firsts = Enumerable.Range(0, 30).Select(i => AdmissionRules.Order(candidates, ProviderStrategy.RoundRobin, PriceTable.Default, $"run_{i}", "n", 1)[0].Provider).ToHashSet();

        // Assert
        firsts.Count.ShouldBe(3);
        AdmissionRules.Order(candidates, ProviderStrategy.Priority, PriceTable.Default, "run_1", "n", 1).ShouldBe(candidates);
    }
}
