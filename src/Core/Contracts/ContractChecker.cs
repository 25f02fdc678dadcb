using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Warden.Core.Contracts;

/// <summary>
/// Checks one attempt against a node's contract, purely: the same checks guard production (the node executor, on
/// every attempt) and gate CI (the suite assertion <c>contract</c>). Every broken rule is reported, in rule order.
/// </summary>
public static class ContractChecker
{
    /// <summary>The input check alone: done before a provider is called, so a bad input costs nothing.</summary>
    public static IReadOnlyList<ContractViolation> CheckInput(CompiledContract contract, string? input)
    {
        ArgumentNullException.ThrowIfNull(contract);
        return contract.InputSchema is { } schema ? Schema("input_schema", schema, input ?? "null", parsed: true) : [];
    }

    /// <summary>The output checks: output schema, output tokens, citations and forbidden patterns.</summary>
    public static IReadOnlyList<ContractViolation> CheckOutput(CompiledContract contract, string output, long outputTokens)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(output);
        var violations = new List<ContractViolation>();
        if (contract.OutputSchema is { } schema)
        {
            violations.AddRange(Schema("output_schema", schema, output, parsed: false));
        }

        if (contract.Contract.MaxOutputTokens is { } max && outputTokens > max)
        {
            violations.Add(new ContractViolation("max_output_tokens", $"at most {Str(max)} output tokens", $"{Str(outputTokens)} output tokens"));
        }

        if (contract.Citations is { } pattern)
        {
            var min = contract.Contract.Citations!.Min;
            var found = Guarded(() => pattern.Matches(output).Select(m => m.Value).Distinct(StringComparer.Ordinal).ToList());
            if (found is null)
            {
                violations.Add(new ContractViolation("citations", $"at least {Str(min)} distinct citation(s)", $"matching took longer than {SafeRegex.Timeout.TotalSeconds:0}s"));
            }
            else if (found.Count < min)
            {
                violations.Add(new ContractViolation(
                    "citations",
                    $"at least {Str(min)} distinct citation(s) like /{pattern}/",
                    found.Count == 0 ? "none" : $"{Str(found.Count)}: {string.Join(", ", found.Take(5))}"));
            }
        }

        for (var i = 0; i < contract.Forbidden.Count; i++)
        {
            var forbidden = contract.Forbidden[i];
            var hit = Guarded(() => forbidden.Match(output));
            if (hit is null)
            {
                violations.Add(new ContractViolation($"forbidden[{Str(i)}]", $"no match for /{forbidden}/", $"matching took longer than {SafeRegex.Timeout.TotalSeconds:0}s"));
            }
            else if (hit.Success)
            {
                violations.Add(new ContractViolation($"forbidden[{Str(i)}]", $"no match for /{contract.Forbidden[i]}/", $"'{Clip(hit.Value, 40)}' at {Str(hit.Index)}"));
            }
        }

        return violations;
    }

    /// <summary>Input and output together, as a suite checks a finished node.</summary>
    public static IReadOnlyList<ContractViolation> Check(CompiledContract contract, string? input, string output, long outputTokens) =>
        [.. CheckInput(contract, input), .. CheckOutput(contract, output, outputTokens)];

    /// <summary>The message of a failed attempt: the contract and every broken rule.</summary>
    public static string Describe(NodeContract contract, IReadOnlyList<ContractViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(violations);
        return $"{contract.Label} violated: {string.Join("; ", violations)}";
    }

    private static List<ContractViolation> Schema(string rule, JsonSchema schema, string text, bool parsed)
    {
        JsonDocument document;
        try
        {
            document = parsed ? JsonDocument.Parse(text) : ContractValues.ToDocument(text);
        }
        catch (JsonException)
        {
            return [new ContractViolation(rule, "JSON", $"not JSON: {Clip(text, 60)}")];
        }

        using (document)
        {
            var errors = JsonSchemas.Errors(schema, document.RootElement);
            return errors.Count == 0 ? [] : [new ContractViolation(rule, "valid against its schema", string.Join("; ", errors))];
        }
    }

    /// <summary>A match that runs past <see cref="SafeRegex.Timeout"/> counts as broken: the rule could not be shown to hold.</summary>
    private static T? Guarded<T>(Func<T> match)
        where T : class
    {
        try
        {
            return match();
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private static string Clip(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);
}
