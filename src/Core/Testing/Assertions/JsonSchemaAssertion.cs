using System.Text.Json;
using Json.Schema;
using Warden.Core.Contracts;

namespace Warden.Core.Testing.Assertions;

/// <summary><c>json_schema: {...}</c>: the output parsed as JSON is valid against a JSON Schema (draft 2020-12, JsonSchema.Net).</summary>
public sealed record JsonSchemaAssertion(JsonSchema Schema, string SchemaText, string? Node) : Assertion("json_schema", Node)
{
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
            var errors = JsonSchemas.Errors(Schema, document.RootElement);
            return errors.Count == 0 ? Result(true, expected, "valid") : Result(false, expected, string.Join("; ", errors));
        }
    }
}
