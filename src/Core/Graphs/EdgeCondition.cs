using System.Text.Json;
using System.Text.RegularExpressions;

namespace Warden.Core.Graphs;

public enum ConditionOperator
{
    Equals,
    NotEquals,
    Contains,
    NotContains,
}

/// <summary>
/// A condition on the upstream node: <c>status == failed</c>, <c>output contains 'LGTM'</c>,
/// <c>output.verdict == pass</c>. <c>output.key</c> reads a JSON property or a <c>key: value</c> line.
/// Comparisons ignore case and surrounding whitespace.
/// </summary>
public sealed partial record EdgeCondition(string Subject, ConditionOperator Operator, string Value, string Text)
{
    public const string StatusSubject = "status";
    public const string OutputSubject = "output";

    [GeneratedRegex(@"^\s*(status|output(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*(==|!=|not\s+contains|contains)\s*(?:'([^']*)'|""([^""]*)""|(\S+))\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();

    /// <summary>True when the condition needs the source to have failed (it routes failures).</summary>
    public bool MatchesFailure => Evaluate(succeeded: false, output: null);

    public static bool TryParse(string text, out EdgeCondition? condition, out string? error)
    {
        condition = null;
        error = null;
        var m = Grammar().Match(text);
        if (!m.Success)
        {
            error = $"cannot read condition '{text}'; expected '<status|output|output.key> <==|!=|contains|not contains> <value>'";
            return false;
        }

        var op = m.Groups[2].Value switch
        {
            "==" => ConditionOperator.Equals,
            "!=" => ConditionOperator.NotEquals,
            "contains" => ConditionOperator.Contains,
            _ => ConditionOperator.NotContains,
        };
        var value = m.Groups[3].Success ? m.Groups[3].Value : m.Groups[4].Success ? m.Groups[4].Value : m.Groups[5].Value;
        var subject = m.Groups[1].Value;
        if (subject == StatusSubject)
        {
            if (op is ConditionOperator.Contains or ConditionOperator.NotContains)
            {
                error = "status supports only == and !=";
                return false;
            }

            if (value is not ("succeeded" or "failed"))
            {
                error = $"status can be 'succeeded' or 'failed', not '{value}'";
                return false;
            }
        }

        condition = new EdgeCondition(subject, op, value, text.Trim());
        return true;
    }

    public bool Evaluate(bool succeeded, string? output)
    {
        if (Subject == StatusSubject)
        {
            var actual = succeeded ? "succeeded" : "failed";
            return Operator == ConditionOperator.Equals ? actual == Value : actual != Value;
        }

        if (!succeeded)
        {
            return false;
        }

        var subjectValue = Subject == OutputSubject ? output : ExtractField(output, Subject[(OutputSubject.Length + 1)..]);
        var left = (subjectValue ?? string.Empty).Trim();
        return Operator switch
        {
            ConditionOperator.Equals => string.Equals(left, Value, StringComparison.OrdinalIgnoreCase),
            ConditionOperator.NotEquals => !string.Equals(left, Value, StringComparison.OrdinalIgnoreCase),
            ConditionOperator.Contains => left.Contains(Value, StringComparison.OrdinalIgnoreCase),
            _ => !left.Contains(Value, StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>Reads <paramref name="key"/> from a JSON object output, or from a "key: value" line.</summary>
    public static string? ExtractField(string? output, string key)
    {
        if (string.IsNullOrEmpty(output))
        {
            return null;
        }

        var trimmed = output.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(trimmed);
                foreach (var prop in doc.RootElement.EnumerateObject())
                {
                    if (string.Equals(prop.Name, key, StringComparison.OrdinalIgnoreCase))
                    {
                        return prop.Value.ValueKind == JsonValueKind.String ? prop.Value.GetString() : prop.Value.GetRawText();
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: fall through to key: value lines.
            }
        }

        foreach (var rawLine in output.Split('\n'))
        {
            var line = rawLine.Trim().TrimStart('*', '#', '-', ' ');
            var sep = line.IndexOfAny([':', '=']);
            if (sep > 0 && string.Equals(line[..sep].Trim().TrimEnd('*'), key, StringComparison.OrdinalIgnoreCase))
            {
                return line[(sep + 1)..].Trim().Trim('*').Trim();
            }
        }

        return null;
    }
}
