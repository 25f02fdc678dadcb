using Shouldly;
using Warden.Core.Contracts;
using Warden.Core.Graphs;
using Warden.Core.Tests.Support;
using Xunit;

namespace Warden.Core.Tests.Contracts;

public class ContractParserTests
{
    private const string Head = "name: g\nnodes:\n  - id: a\n    role: planner\n    prompt: plan it\n";

    private static GraphError SingleError(string yaml)
    {
        var ex = Should.Throw<GraphValidationException>(() => GraphParser.Parse(yaml));
        ex.Errors.Count.ShouldBe(1, string.Join("\n", ex.Errors));
        return ex.Errors[0];
    }

    [Fact]
    public void Parse_InlineContract_ReadsEveryRule()
    {
        // Arrange
        var yaml = Head + """
                contract:
                  input_schema: { type: object, required: [task] }
                  output_schema: { type: string, pattern: "^Plan" }
                  max_output_tokens: 300
                  citations: { min: 2 }
                  forbidden: ['(?i)password', 'TODO']
            """;

        // Act
        var contract = GraphParser.Parse(yaml).FindNode("a")!.Contract!;

        // Assert
        contract.Name.ShouldBeNull();
        contract.InputSchema.ShouldBe("""{"type":"object","required":["task"]}""");
        contract.OutputSchema.ShouldBe("""{"type":"string","pattern":"^Plan"}""");
        contract.MaxOutputTokens.ShouldBe(300);
        contract.Citations.ShouldBe(new CitationRule(2, CitationRule.DefaultPattern));
        contract.Forbidden.ShouldBe(new[] { "(?i)password", "TODO" });
    }

    [Fact]
    public void Parse_NamedContract_IsSharedByTheNodesThatNameIt()
    {
        // Arrange
        const string yaml = """
            name: g
            contracts:
              short: { max_output_tokens: 50 }
            nodes:
              - { id: a, role: planner, prompt: p, contract: short }
              - { id: b, role: coder, prompt: c, contract: short }
              - { id: c, role: finalizer, prompt: f }
            edges: [a -> b, b -> c]
            """;

        // Act
        var graph = GraphParser.Parse(yaml);

        // Assert
        graph.FindNode("a")!.Contract.ShouldBe(new NodeContract("short", null, null, 50, null, null));
        graph.FindNode("b")!.Contract.ShouldBeSameAs(graph.FindNode("a")!.Contract);
        graph.FindNode("c")!.Contract.ShouldBeNull();
    }

    [Fact]
    public void Parse_ResearchToCodeExample_HasContractsOnResearcherAndPlanner()
    {
        // Arrange
        var yaml = RepoFiles.Read("examples/research-to-code.yaml");

        // Act
        var graph = GraphParser.Parse(yaml);

        // Assert
        graph.FindNode("researcher")!.Contract!.Name.ShouldBe("cited-research");
        graph.FindNode("researcher")!.Contract!.Citations!.Min.ShouldBe(3);
        graph.FindNode("planner")!.Contract!.InputSchema.ShouldNotBeNull();
        graph.Nodes.Count(n => n.Contract is not null).ShouldBe(2);
    }

    public static TheoryData<string, string, int, int, string> Errors => new()
    {
        // yaml after the node's prompt line, path, line, column, message fragment
        { "    contract: { forbidden: ['(a' ] }\n", "$.nodes[0].contract.forbidden[0]", 6, 29, "bad regex" },
        { "    contract: { forbidden: ['(?<=a)b'] }\n", "$.nodes[0].contract.forbidden[0]", 6, 29, "without backtracking" },
        { "    contract:\n      output_schema: { type: strin }\n", "$.nodes[0].contract.output_schema", 7, 22, "not a valid JSON Schema" },
        { "    contract:\n      input_schema: [1, 2]\n", "$.nodes[0].contract.input_schema", 7, 21, "a schema is a JSON Schema mapping" },
        { "    contract: { max_output_tokens: 0 }\n", "$.nodes[0].contract.max_output_tokens", 6, 36, "from 1 to" },
        { "    contract: { citations: { min: 2, pattern: '[' } }\n", "$.nodes[0].contract.citations.pattern", 6, 47, "bad regex" },
        { "    contract: { citations: 3 }\n", "$.nodes[0].contract.citations", 6, 28, "mapping of required, min and pattern" },
        { "    contract: { max_tokens: 5 }\n", "$.nodes[0].contract.max_tokens", 6, 17, "unknown field 'max_tokens'" },
        { "    contract: {}\n", "$.nodes[0].contract", 6, 15, "at least one rule" },
        { "    contract: missing\n", "$.nodes[0].contract", 6, 15, "unknown contract 'missing'" },
        { "    contract: ./contracts/planner.yaml\n", "$.nodes[0].contract", 6, 15, "is not inlined" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Parse_BadContract_PointsAtTheRule(string contract, string path, int line, int column, string message)
    {
        // Arrange
        var yaml = Head + contract;

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Message.ShouldContain(message);
        (error.Path, error.Line, error.Column).ShouldBe((path, (int?)line, (int?)column), error.ToString());
    }

    [Fact]
    public void Parse_ContractOnApprovalNode_IsRejected()
    {
        // Arrange
        const string yaml = "name: g\nnodes:\n  - id: gate\n    kind: approval\n    message: ok?\n    contract: { max_output_tokens: 5 }\n";

        // Act
        var error = SingleError(yaml);

        // Assert
        error.Message.ShouldContain("approval node 'gate'");
        (error.Line, error.Column).ShouldBe((6, 15));
    }

    [Fact]
    public void Parse_BadNamedContract_PointsIntoTheContractsMap()
    {
        // Arrange
        const string yaml = "name: g\ncontracts:\n  safe:\n    forbidden: '(a'\nnodes:\n  - { id: a, role: planner, prompt: p, contract: safe }\n";

        // Act
        var ex = Should.Throw<GraphValidationException>(() => GraphParser.Parse(yaml));

        // Assert: the broken rule is reported where it is written (the node's reference to it fails too).
        var first = ex.Errors[0];
        (first.Path, first.Line, first.Column).ShouldBe(("$.contracts.safe.forbidden", (int?)4, (int?)16));
        ex.Errors.ShouldContain(e => e.Message.Contains("unknown contract 'safe'"));
    }

    [Fact]
    public void ParseContract_FileWithError_ReportsTheFilesLine()
    {
        // Arrange
        const string file = "# planner contract\nmax_output_tokens: 100\nforbidden:\n  - ok\n  - '(x'\n";

        // Act
        var ex = Should.Throw<GraphValidationException>(() => GraphParser.ParseContract(file, "planner"));

        // Assert
        var error = ex.Errors.Single();
        (error.Path, error.Line, error.Column).ShouldBe(("$.forbidden[1]", (int?)5, (int?)5));
    }
}
