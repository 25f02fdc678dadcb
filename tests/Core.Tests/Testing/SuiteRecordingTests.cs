using System.Text.Json.Nodes;
using Shouldly;
using Warden.Core.Testing;
using Xunit;

namespace Warden.Core.Tests.Testing;

/// <summary>A suite case that replays a recording file: <c>recording</c> and <c>on_miss</c>.</summary>
public class SuiteRecordingTests
{
    [Fact]
    public void Parse_CaseWithRecording_KeepsFileAndFailOnMissByDefault()
    {
        // Arrange
        const string yaml = "name: s\ngraph: g\ncases:\n  - name: c\n    recording: runs/prod.json\n    assert:\n      - status: completed\n";

        // Act
        var suiteCase = SuiteParser.Parse(yaml).Cases[0];

        // Assert: no input or seed of its own, so the recording's are used.
        var recording = JsonNode.Parse(suiteCase.RunOptions!)!["recording"]!;
        recording["file"]!.GetValue<string>().ShouldBe("runs/prod.json");
        recording["on_miss"]!.GetValue<string>().ShouldBe("fail");
        recording["case_input"]!.GetValue<bool>().ShouldBeFalse();
        recording["case_seed"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public void Parse_CaseWithRecordingAndOwnInput_KeepsTheCaseInputAndSeed()
    {
        // Arrange
        const string yaml = "name: s\ngraph: g\ncases:\n  - name: c\n    recording: r.json\n    on_miss: call\n    input: { task: other }\n    seed: 3\n    assert:\n      - status: completed\n";

        // Act
        var suiteCase = SuiteParser.Parse(yaml).Cases[0];

        // Assert
        var recording = JsonNode.Parse(suiteCase.RunOptions!)!["recording"]!;
        recording["on_miss"]!.GetValue<string>().ShouldBe("call");
        recording["case_input"]!.GetValue<bool>().ShouldBeTrue();
        recording["case_seed"]!.GetValue<bool>().ShouldBeTrue();
        suiteCase.Seed.ShouldBe(3);
    }

    [Theory]
    [InlineData("    recording: [a]\n", "$.cases[0].recording", "path of a recording file", 5)]
    [InlineData("    recording: r.json\n    on_miss: sometimes\n", "$.cases[0].on_miss", "fail or call", 6)]
    [InlineData("    on_miss: call\n", "$.cases[0].on_miss", "needs a recording", 5)]
    public void Parse_BadRecording_ReportsWhere(string lines, string path, string message, int line)
    {
        // Act
        var ex = Should.Throw<SuiteValidationException>(() => SuiteParser.Parse("name: s\ngraph: g\ncases:\n  - name: c\n" + lines + "    assert:\n      - status: completed\n"));

        // Assert
        var error = ex.Errors.ShouldHaveSingleItem();
        error.Path.ShouldBe(path);
        error.Message.ShouldContain(message);
        error.Line.ShouldBe(line);
    }
}
