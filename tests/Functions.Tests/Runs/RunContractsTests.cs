using Shouldly;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Functions.Runs;
using Warden.Functions.Tests.Support;
using Xunit;

namespace Warden.Functions.Tests.Runs;

/// <summary>The orchestration's payloads survive the worker's serializer (default System.Text.Json, root as runtime type).</summary>
public class RunContractsTests
{
    [Fact]
    public void RunGraphInput_WithCarriedState_RoundTripsUnchanged()
    {
        // Arrange
        var input = TestRuns.Input(TestRuns.Gated);
        var decider = new RunDecider(GraphParser.Parse(TestRuns.Gated));
        var state = decider.Start(input.Start, new RunContext(DateTimeOffset.UnixEpoch)).State;
        var carried = input with { CarryOver = new RunCarryOver(state, 3, 7, [new PendingTimer("deadline:gate:1", DateTimeOffset.UnixEpoch.AddHours(1))]) };

        // Act
        var back = Wire.RoundTrip(carried);

        // Assert
        Wire.Json(back).ShouldBe(Wire.Json(carried));
        back.Policy.Expand(decider.Graph.Nodes[0].Candidates).ShouldBe(carried.Policy.Expand(decider.Graph.Nodes[0].Candidates));
        back.CarryOver!.State.Nodes["plan"].Status.ShouldBe(NodeStatus.Admitting);
    }

    [Fact]
    public void NodeResult_CarriesTheConcreteEvent()
    {
        // Arrange
        var failed = new NodeFailed("n1", 1, 2, "boom", Retryable: true);

        // Act
        var back = Wire.RoundTrip(new NodeResult(failed));

        // Assert
        back.Event.ShouldBe(failed);
    }
}
