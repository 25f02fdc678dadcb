using Shouldly;
using Warden.Core.Contracts;
using Warden.Core.Graphs;
using Xunit;

namespace Warden.Core.Tests.Contracts;

public class ContractReferencesTests
{
    private const string Graph = """
        name: g
        nodes:
          - id: plan
            role: planner
            prompt: plan it
            contract: ./contracts/planner.yaml
          - { id: code, role: coder, prompt: code it, contract: "contracts/coder.yaml" }
        edges: [plan -> code]
        """;

    private static readonly Dictionary<string, string> Files = new()
    {
        ["./contracts/planner.yaml"] = "# the planner's promise\noutput_schema: { type: string, pattern: '^Plan' }\nforbidden: ['\\bpassword\\b']\n",
        ["contracts/coder.yaml"] = "max_output_tokens: 800\n",
    };

    [Fact]
    public void Inline_FileReferences_EmbedsEachContractKeepingOtherLines()
    {
        // Act
        var inlined = ContractReferences.Inline(Graph, reference => Files[reference]);
        var graph = GraphParser.Parse(inlined);

        // Assert
        graph.FindNode("plan")!.Contract!.Name.ShouldBe("planner");
        graph.FindNode("plan")!.Contract!.OutputSchema.ShouldBe("""{"type":"string","pattern":"^Plan"}""");
        graph.FindNode("plan")!.Contract!.Forbidden.ShouldBe(new[] { @"\bpassword\b" });
        graph.FindNode("code")!.Contract.ShouldBe(new NodeContract("coder", null, null, 800, null, null));
        inlined.Split('\n').Length.ShouldBe(Graph.Split('\n').Length);
        inlined.ShouldContain("# inlined from ./contracts/planner.yaml");
    }

    [Fact]
    public void Inline_NoFileReferences_ReturnsTheTextUnchanged()
    {
        // Arrange
        const string yaml = "name: g\ncontracts:\n  c: { max_output_tokens: 5 }\nnodes:\n  - { id: a, role: planner, prompt: p, contract: c }\n";

        // Act
        var inlined = ContractReferences.Inline(yaml, _ => throw new InvalidOperationException("no file is read"));

        // Assert
        inlined.ShouldBe(yaml);
    }

    [Fact]
    public void Inline_BadContractFile_NamesTheFileAndItsLine()
    {
        // Act
        var ex = Should.Throw<ContractFileException>(() => ContractReferences.Inline(Graph, r => r.Contains("coder", StringComparison.Ordinal) ? "max_output_tokens: lots\n" : Files[r]));

        // Assert
        ex.Reference.ShouldBe("contracts/coder.yaml");
        ex.Message.ShouldContain("contract file 'contracts/coder.yaml'");
        ex.Message.ShouldContain("line 1");
    }

    [Fact]
    public void Inline_MissingFile_IsAContractFileError()
    {
        // Act
        var ex = Should.Throw<ContractFileException>(() => ContractReferences.Inline(Graph, _ => throw new FileNotFoundException("no such file")));

        // Assert
        ex.Message.ShouldContain("cannot read contract file");
        ex.Message.ShouldContain("no such file");
    }
}
