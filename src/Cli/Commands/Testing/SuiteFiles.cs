using Warden.Cli.Client;
using Warden.Core.Graphs;
using Warden.Core.Testing;

namespace Warden.Cli.Commands.Testing;

/// <summary>A parsed suite with where it came from and the graph YAML it names (when it names a file).</summary>
public sealed record LoadedSuite(string Path, SuiteDefinition Suite, string? GraphYaml);

/// <summary>Finds suite files (one file, or every .yaml/.yml/.json in a folder, sorted) and parses them; a bad one exits 2.</summary>
public static class SuiteFiles
{
    public static async Task<IReadOnlyList<LoadedSuite>> LoadAsync(string path, CancellationToken ct)
    {
        string[] files;
        if (Directory.Exists(path))
        {
            files = Directory.EnumerateFiles(path)
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToArray();
            if (files.Length == 0)
            {
                throw new CliException($"no suite files (.yaml, .yml, .json) in '{path}'", 2);
            }
        }
        else if (File.Exists(path))
        {
            files = [path];
        }
        else
        {
            throw new CliException($"suite '{path}' not found", 2);
        }

        var suites = new List<LoadedSuite>();
        foreach (var file in files)
        {
            SuiteDefinition suite;
            try
            {
                suite = SuiteParser.Parse(await File.ReadAllTextAsync(file, ct));
            }
            catch (SuiteValidationException ex)
            {
                throw new CliException($"{file}: {ex.Errors[0]}{(ex.Errors.Count > 1 ? $" (and {ex.Errors.Count - 1} more)" : string.Empty)}", 2);
            }

            var graphYaml = await GraphYamlAsync(file, suite, ct);
            if (graphYaml is not null && SuiteGraphCheck.Check(suite, GraphParser.Parse(graphYaml)) is { Count: > 0 } wrong)
            {
                throw new CliException($"{file}: {wrong[0]}{(wrong.Count > 1 ? $" (and {wrong.Count - 1} more)" : string.Empty)}", 2);
            }

            suites.Add(new LoadedSuite(file, suite, graphYaml));
        }

        return suites;
    }

    private static async Task<string?> GraphYamlAsync(string suitePath, SuiteDefinition suite, CancellationToken ct)
    {
        if (suite.Graph.File is not { } relative)
        {
            return null;
        }

        var graphPath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(suitePath))!, relative));
        if (!File.Exists(graphPath))
        {
            throw new CliException($"{suitePath}: graph file '{relative}' not found (looked at {graphPath})", 2);
        }

        var yaml = await GraphFiles.ReadAsync(graphPath, ct);
        try
        {
            GraphParser.Parse(yaml);
        }
        catch (GraphValidationException ex)
        {
            throw new CliException($"{graphPath}: {ex.Errors[0]}", 2);
        }

        return yaml;
    }
}
