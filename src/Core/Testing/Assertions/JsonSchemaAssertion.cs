using System.Text.Json;
using Json.Schema;

namespace Warden.Core.Testing.Assertions;

/// <summary><c>json_schema: {...}</c>: the output parsed as JSON is valid against a JSON Schema (draft 2020-12, JsonSchema.Net).</summary>
public sealed record JsonSchemaAssertion(JsonSchema Schema, string SchemaText, string? Node) : Assertion("json_schema", Node)
{
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List };

    public override AssertionResult Evaluate(RunObservation run)
    {
        var text = Subject(run);
        var expected = $"valid against {Show(SchemaText, 80)}";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "\"\"" : text);
        }
        catch (JsonException)
        {
            return Result(false, expected, $"output is not JSON: {Show(text, 80)}");
        }

        using (document)
        {
            var results = Schema.Evaluate(document.RootElement, Options);
            if (results.IsValid)
            {
                return Result(true, expected, "valid");
            }

            var errors = (results.Details ?? [])
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {e.Value}"))
                .Take(3);
            return Result(false, expected, string.Join("; ", errors) is { Length: > 0 } joined ? joined : "invalid");
        }
    }
}
