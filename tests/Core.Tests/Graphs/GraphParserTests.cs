using Shouldly;
using Warden.Core.Graphs;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Graphs;

public class GraphParserTests
{
    private static GraphError SingleError(string yaml)
    {
        var ex = Should.Throw<GraphValidationException>(() => GraphParser.Parse(yaml));
        ex.Errors.Count.ShouldBe(1, string.Join("\n", ex.Errors));
        return ex.Errors[0];
    }

    [Theory]
    [InlineData("examples/research-to-code.yaml", "research-to-code", 5, 4)]
    [InlineData("examples/ops-copilot.yaml", "ops-copilot", 5, 5)]
    [InlineData("examples/release-gate.yaml", "release-gate", 3, 2)]
    public void Parse_ExampleGraph_Succeeds(string path, string name, int nodes, int edges)
    {
        // Arrange
        var yaml = RepoFiles.Read(path);

        // Act
        var graph = GraphParser.Parse(yaml);

        // Assert
        graph.Name.ShouldBe(name);
        graph.Nodes.Count.ShouldBe(nodes);
        graph.Edges.Count.ShouldBe(edges);
        graph.Defaults.Timeout.ShouldBe(TimeSpan.FromSeconds(60));
        graph.Defaults.Retry.MaxAttempts.ShouldBe(3);
    }

    [Fact]
    public void Parse_ResearchToCode_ReadsNodeRetryPolicy()
    {
        // Arrange
        var yaml = RepoFiles.Read("examples/research-to-code.yaml");

        // Act
        var coder = GraphParser.Parse(yaml).FindNode("coder")!;

        // Assert
        coder.Role.ShouldBe(AgentRoles.Coder);
        coder.Retry.ShouldBe(new RetryPolicy(3, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2), 2.0));
        coder.Provider.ShouldBe("mock");
        coder.Timeout.ShouldBe(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void Parse_OpsCopilot_ReadsApprovalAndConditionalLoop()
    {
        // Arrange
        var yaml = RepoFiles.Read("examples/ops-copilot.yaml");

        // Act
        var graph = GraphParser.Parse(yaml);

        // Assert
        var gate = graph.FindNode("approve-plan")!;
        gate.Kind.ShouldBe(NodeKind.Approval);
        gate.Approval.ShouldBe(new ApprovalSettings("An operator must approve the plan before it is executed.", TimeSpan.FromHours(24), ApprovalTimeoutAction.Fail));
        var loop = graph.Edges.Single(e => e.IsLoop);
        (loop.From, loop.To, loop.MaxTraversals).ShouldBe(("reviewer", "executor", (int?)2));
        loop.When!.Text.ShouldBe("output.verdict == revise");
        graph.Edges.Single(e => e.To == "report").When!.Value.ShouldBe("pass");
    }

    [Fact]
    public void Parse_InvalidYamlSyntax_ReportsLineAndColumn()
    {
        // Arrange: the prompt key is indented one space less than its siblings.
        const string yaml = "name: demo\nnodes:\n  - id: a\n    role: planner\n   prompt: hi\n";

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Path.ShouldBe("$");
        error.Message.ShouldStartWith("not valid YAML or JSON:");
        (error.Line, error.Column).ShouldBe((5, 4));
    }

    [Fact]
    public void Parse_UnclosedFlowSequence_ReportsWhereItEnds()
    {
        // Arrange
        const string yaml = "name: demo\nnodes: [a, b\n";

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Message.ShouldContain("did not find expected ',' or ']'");
        (error.Line, error.Column).ShouldBe((3, 1));
    }

    [Fact]
    public void Parse_DuplicateKey_IsASyntaxError()
    {
        // Arrange
        const string yaml = "name: demo\nname: demo2\nnodes:\n  - id: a\n    role: planner\n    prompt: hi\n";

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Message.ShouldContain("Duplicate key");
        (error.Line, error.Column).ShouldBe((2, 1));
    }

    [Theory]
    [InlineData("name: demo\nnodes:\n  - id: a\n    role: planner\n    prompt: hi\nedges:\n  - a -> b\n", "$.edges[0].to", "'b'", 7, 5)]
    [InlineData("name: demo\nnodes:\n  - id: a\n    role: planner\n    prompt: hi\nedges:\n  - from: a\n    to: zzz\n", "$.edges[0].to", "'zzz'", 8, 9)]
    [InlineData("name: demo\nnodes:\n  - id: a\n    role: planner\n    prompt: hi\nedges:\n  - from: ghost\n    to: a\n", "$.edges[0].from", "'ghost'", 7, 11)]
    public void Parse_EdgeToUnknownNode_PointsAtTheEdgeEnd(string yaml, string path, string name, int line, int column)
    {
        // Act
        var error = SingleError(yaml);

        // Assert
        error.Path.ShouldBe(path);
        error.Message.ShouldBe($"edge refers to unknown node {name}");
        (error.Line, error.Column).ShouldBe((line, column));
    }

    [Fact]
    public void Parse_UnreachableNodes_ReportsEachAtItsDefinition()
    {
        // Arrange: b and c only lead to each other, nothing leads to them from the start node a.
        const string yaml = """
            name: demo
            nodes:
              - id: a
                role: planner
                prompt: hi
              - id: b
                role: coder
                prompt: hi
              - id: c
                role: coder
                prompt: hi
            edges:
              - from: b
                to: c
              - from: c
                to: b
                max_traversals: 2
            """;

        // Act
        var ex = Should.Throw<GraphValidationException>(() => GraphParser.Parse(yaml));

        // Assert
        ex.Errors.Select(e => (e.Path, e.Line, e.Column)).ShouldBe([("node:b", 6, 5), ("node:c", 9, 5)]);
        ex.Errors[0].Message.ShouldBe("node 'b' is unreachable: no path leads to it from a start node");
    }

    [Fact]
    public void Parse_CycleWithoutBound_ReportsCycleAtFirstNode()
    {
        // Arrange
        const string yaml = """
            name: demo
            nodes:
              - id: s
                role: planner
                prompt: hi
              - id: a
                role: planner
                prompt: hi
              - id: b
                role: coder
                prompt: hi
            edges:
              - s -> a
              - a -> b
              - b -> a
            """;

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Path.ShouldBe("node:a");
        error.Message.ShouldBe("cycle a -> b -> a has no bound; set max_traversals on the edge that loops back");
        (error.Line, error.Column).ShouldBe((6, 5));
    }

    [Fact]
    public void Parse_CycleWithMaxTraversals_IsAccepted()
    {
        // Arrange
        const string yaml = """
            name: demo
            nodes:
              - id: s
                role: planner
                prompt: hi
              - id: a
                role: planner
                prompt: hi
              - id: b
                role: coder
                prompt: hi
            edges:
              - s -> a
              - a -> b
              - from: b
                to: a
                max_traversals: 3
            """;

        // Act
        var graph = GraphParser.Parse(yaml);

        // Assert
        graph.Edges.Single(e => e.IsLoop).ShouldBe(new EdgeDefinition("b", "a", null, 3));
    }

    [Fact]
    public void Parse_SelfLoopOnStartNode_IsAccepted()
    {
        // Arrange
        const string yaml = """
            name: demo
            nodes:
              - id: draft
                role: writer
                prompt: hi
              - id: publish
                role: finalizer
                prompt: hi
            edges:
              - draft -> publish
              - from: draft
                to: draft
                when: output contains 'TODO'
                max_traversals: 2
            """;

        // Act
        var graph = GraphParser.Parse(yaml);

        // Assert
        graph.Edges.Single(e => e.IsLoop).ShouldBe(new EdgeDefinition("draft", "draft", graph.Edges[1].When, 2));
        graph.Edges[1].When!.Operator.ShouldBe(ConditionOperator.Contains);
    }

    [Fact]
    public void Parse_MaxTraversalsOnForwardEdge_IsRejected()
    {
        // Arrange: the bounded edge does not close a loop.
        const string yaml = """
            name: demo
            nodes:
              - id: a
                role: planner
                prompt: hi
              - id: b
                role: coder
                prompt: hi
            edges:
              - a -> b
              - from: a
                to: b
                max_traversals: 2
            """;

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Path.ShouldBe("$.edges[1]");
        error.Message.ShouldContain("does not close a loop");
        (error.Line, error.Column).ShouldBe((11, 5));
    }

    [Fact]
    public void Parse_MissingPrompt_PointsAtTheNode()
    {
        // Arrange
        const string yaml = "name: demo\nnodes:\n  - id: a\n    role: planner\n";

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Path.ShouldBe("$.nodes[0]");
        error.Message.ShouldBe("agent node 'a' is missing a prompt");
        (error.Line, error.Column).ShouldBe((3, 5));
    }

    [Fact]
    public void Parse_UnknownRole_PointsAtTheRoleValue()
    {
        // Arrange
        const string yaml = "name: demo\nnodes:\n  - id: a\n    role: wizard\n    prompt: hi\n";

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Path.ShouldBe("$.nodes[0].role");
        error.Message.ShouldStartWith("unknown role 'wizard'; known roles: analyst, coder,");
        (error.Line, error.Column).ShouldBe((4, 11));
    }

    [Fact]
    public void Parse_BadDuration_PointsAtTheValue()
    {
        // Arrange
        const string yaml = "name: demo\nnodes:\n  - id: a\n    role: planner\n    prompt: hi\n    timeout: 5 minutes\n";

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Path.ShouldBe("$.nodes[0].timeout");
        error.Message.ShouldBe("'5 minutes' is not a duration; write e.g. 500ms, 30s, 5m, 2h or 1d");
        (error.Line, error.Column).ShouldBe((6, 14));
    }

    [Fact]
    public void Parse_UnknownField_PointsAtTheKey()
    {
        // Arrange
        const string yaml = "name: demo\nnodes:\n  - id: a\n    role: planner\n    prompt: hi\n    colour: red\n";

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Path.ShouldBe("$.nodes[0].colour");
        error.Message.ShouldStartWith("unknown field 'colour'; expected one of id, kind, role, prompt");
        (error.Line, error.Column).ShouldBe((6, 5));
    }

    [Fact]
    public void Parse_BadEdgeCondition_PointsAtTheCondition()
    {
        // Arrange
        const string yaml = """
            name: demo
            nodes:
              - id: a
                role: planner
                prompt: hi
              - id: b
                role: coder
                prompt: hi
            edges:
              - from: a
                to: b
                when: output.verdict is pass
            """;

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Path.ShouldBe("$.edges[0].when");
        error.Message.ShouldStartWith("cannot read condition 'output.verdict is pass'");
        (error.Line, error.Column).ShouldBe((12, 11));
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsAllOfThem()
    {
        // Arrange
        const string yaml = "name: Demo Graph\nnodes:\n  - id: a\n    role: wizard\n    timeout: soon\n";

        // Act
        var ex = Should.Throw<GraphValidationException>(() => GraphParser.Parse(yaml));

        // Assert
        ex.Errors.Select(e => e.Path).ShouldBe(["$.name", "$.nodes[0].role", "$.nodes[0]", "$.nodes[0].timeout"], ignoreOrder: true);
        ex.Message.ShouldStartWith("4 problems in graph; first: ");
    }

    [Fact]
    public void Parse_NonScalarNodeKey_ReportsAnErrorInsteadOfCrashing()
    {
        // Arrange: nodes written as a mapping whose key is a sequence.
        const string yaml = "name: demo\nnodes:\n  [x]: {role: planner, prompt: hi}\n";

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Path.ShouldBe("$.nodes");
        (error.Line, error.Column).ShouldBe((3, 3));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    public void Parse_EmptyDocument_Throws(string text)
    {
        // Act
        var error = SingleError(text);

        // Assert
        error.Message.ShouldBe("the graph document is empty");
    }

    [Fact]
    public void Parse_Json_IsAcceptedAndEqualsTheYamlForm()
    {
        // Arrange
        const string yaml = """
            name: demo
            defaults:
              retries: 1
              timeout: 45s
            nodes:
              - id: s
                role: researcher
                prompt: Look into {{input.task}}
              - id: a
                role: planner
                prompt: Plan {{input.task}}
              - id: b
                role: reviewer
                prompt: Review {{nodes.a.output}}
            edges:
              - s -> a
              - a -> b
              - from: b
                to: a
                when: output.verdict == revise
                max_traversals: 2
            """;
        const string json = """
            {
              "name": "demo",
              "defaults": { "retries": 1, "timeout": "45s" },
              "nodes": [
                { "id": "s", "role": "researcher", "prompt": "Look into {{input.task}}" },
                { "id": "a", "role": "planner", "prompt": "Plan {{input.task}}" },
                { "id": "b", "role": "reviewer", "prompt": "Review {{nodes.a.output}}" }
              ],
              "edges": [
                "s -> a",
                { "from": "a", "to": "b" },
                { "from": "b", "to": "a", "when": "output.verdict == revise", "max_traversals": 2 }
              ]
            }
            """;

        // Act
        var fromYaml = GraphParser.Parse(yaml);
        var fromJson = GraphParser.Parse(json);

        // Assert
        fromJson.Name.ShouldBe("demo");
        fromJson.Defaults.ShouldBe(fromYaml.Defaults);
        fromJson.Nodes.ShouldBe(fromYaml.Nodes);
        fromJson.Edges.ShouldBe(fromYaml.Edges);
        fromJson.FindNode("a")!.Retry.MaxAttempts.ShouldBe(2);
    }

    [Fact]
    public void Parse_JsonWithError_ReportsLineAndColumn()
    {
        // Arrange
        const string json = "{\n  \"name\": \"demo\",\n  \"nodes\": [\n    { \"id\": \"a\", \"role\": \"oracle\", \"prompt\": \"hi\" }\n  ]\n}\n";

        // Act
        var error = SingleError(json);

        // Assert
        error.Path.ShouldBe("$.nodes[0].role");
        (error.Line, error.Column).ShouldBe((4, 26));
    }

    [Fact]
    public void Parse_NodesAsMapping_UsesKeysAsIds()
    {
        // Arrange
        const string yaml = """
            name: demo
            nodes:
              gather: { role: researcher, prompt: Look around }
              gate: { kind: approval, message: Go?, on_timeout: escalate, deadline: 30m }
            edges:
              - gather -> gate
            """;

        // Act
        var graph = GraphParser.Parse(yaml);

        // Assert
        graph.Nodes.Select(n => n.Id).ShouldBe(["gather", "gate"]);
        graph.FindNode("gate")!.Approval.ShouldBe(new ApprovalSettings("Go?", TimeSpan.FromMinutes(30), ApprovalTimeoutAction.Escalate));
    }

    [Fact]
    public void Parse_PromptReferencingUnknownNode_IsRejected()
    {
        // Arrange
        const string yaml = "name: demo\nnodes:\n  - id: a\n    role: planner\n    prompt: Use {{nodes.ghost.output}}\n";

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Path.ShouldBe("prompt:a");
        error.Message.ShouldBe("node 'a': prompt refers to unknown node 'ghost'");
        (error.Line, error.Column).ShouldBe((5, 13));
    }
}
