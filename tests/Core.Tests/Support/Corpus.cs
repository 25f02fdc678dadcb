using System.Globalization;
using System.Text;

namespace Warden.Core.Tests.Support;

/// <summary>
/// A sample from a corpus file: one per line, fields split by " | " (the last field is the text and may contain '|').
/// Lines starting with '#' and blank lines are skipped. The text understands \n, \t, \uXXXX, \UXXXXXXXX and \\,
/// so invisible characters are visible in the file.
/// </summary>
public sealed record CorpusSample(int Line, IReadOnlyList<string> Fields, string Text)
{
    /// <summary>xunit shows this as the test case name.</summary>
    public override string ToString() => $"line {Line}: {(Text.Length > 60 ? Text[..60] + "…" : Text)}";
}

internal static class Corpus
{
    public static IEnumerable<CorpusSample> Load(string relativePath, int fields)
    {
        var lines = RepoFiles.Read(relativePath).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(" | ", fields);
            if (parts.Length != fields)
            {
                throw new FormatException($"{relativePath}:{i + 1}: expected {fields} fields separated by ' | '");
            }

            yield return new CorpusSample(i + 1, [.. parts[..^1].Select(p => p.Trim())], Unescape(parts[^1]));
        }
    }

    public static IEnumerable<string> List(string field) =>
        field is "" or "none" ? [] : field.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string Unescape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                result.Append(text[i]);
                continue;
            }

            var next = text[++i];
            switch (next)
            {
                case 'n': result.Append('\n'); break;
                case 't': result.Append('\t'); break;
                case 'u':
                    result.Append((char)int.Parse(text.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                case 'U':
                    result.Append(char.ConvertFromUtf32(int.Parse(text.AsSpan(i + 1, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
                    i += 8;
                    break;
                default: result.Append(next); break;
            }
        }

        return result.ToString();
    }
}
