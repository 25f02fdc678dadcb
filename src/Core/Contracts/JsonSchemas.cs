using System.Text.Json;
using Json.Schema;

namespace Warden.Core.Contracts;

/// <summary>JSON Schema (draft 2020-12, JsonSchema.Net) as graphs and suites use it: checked text in, readable errors out.</summary>
public static class JsonSchemas
{
    private static readonly EvaluationOptions ListOutput = new() { OutputFormat = OutputFormat.List };

    // The valid path (every attempt that holds its contract) only needs the verdict, which stops at the first error.
    private static readonly EvaluationOptions FlagOutput = new() { OutputFormat = OutputFormat.Flag };

    /// <summary>Builds a schema from its JSON text after checking it against the draft 2020-12 meta-schema.</summary>
    public static bool TryBuild(string text, out JsonSchema? schema, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        schema = null;
        error = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            var check = MetaSchemas.Draft202012.Evaluate(document.RootElement, ListOutput);
            if (!check.IsValid)
            {
                var first = (check.Details ?? []).FirstOrDefault(d => d.Errors is { Count: > 0 });
                var where = first?.InstanceLocation.ToString() is { Length: > 0 } loc ? loc : "/";
                error = $"not a valid JSON Schema (draft 2020-12): at {where}: {first?.Errors?.Values.FirstOrDefault() ?? "invalid"}";
                return false;
            }

            schema = JsonSchema.Build(document.RootElement.Clone());
            return true;
        }
        catch (Exception ex) when (ex is JsonException or JsonSchemaException or ArgumentException or InvalidOperationException)
        {
            error = $"not a valid JSON Schema (draft 2020-12): {ex.Message}";
            return false;
        }
    }

    /// <summary>For schemas already checked by a parser.</summary>
    public static JsonSchema Build(string text) =>
        TryBuild(text, out var schema, out var error) ? schema! : throw new ArgumentException(error, nameof(text));

    /// <summary>Why <paramref name="instance"/> is not valid (the first few errors, each with where), or none when it is.</summary>
    public static IReadOnlyList<string> Errors(JsonSchema schema, JsonElement instance, int max = 3)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Evaluate(instance, FlagOutput).IsValid)
        {
            return [];
        }

        var results = schema.Evaluate(instance, ListOutput);
        var errors = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {e.Value}"))
            .Take(max)
            .ToList();
        return errors.Count > 0 ? errors : ["invalid"];
    }
}
