using Warden.Cli.Client;
using Warden.Core.Contracts;

namespace Warden.Cli.Commands;

/// <summary>
/// Reads a graph from disk the way it is uploaded: contract files its nodes name (<c>contract: ./contracts/x.yaml</c>,
/// relative to the graph) are inlined, so the stored version carries the contract text it was run with.
/// </summary>
public static class GraphFiles
{
    public static async Task<string> ReadAsync(string graphPath, CancellationToken ct)
    {
        var text = await File.ReadAllTextAsync(graphPath, ct);
        var folder = Path.GetDirectoryName(Path.GetFullPath(graphPath))!;
        try
        {
            return ContractReferences.Inline(text, reference => File.ReadAllText(Path.Combine(folder, reference)));
        }
        catch (ContractFileException ex)
        {
            throw new CliException($"{graphPath}: {ex.Message}", 2);
        }
    }
}
