using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Warden.Core.Serialization;

namespace Warden.Core.Releases;

/// <summary>
/// Everything a run of a graph depends on, frozen: the graph version (its source carries the nodes, prompts, models,
/// tool policies, governance settings and contracts) and the catalogue tools and agents it names, as they were when the
/// snapshot was taken. Wire contract: persisted, and its hash is the snapshot's identity, so members are only added.
/// </summary>
public sealed record SnapshotContent(
    string GraphId,
    long GraphVersion,
    string GraphHash,
    IReadOnlyList<FrozenTool> Tools,
    IReadOnlyList<FrozenAgent> Agents)
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>SHA-256 over the canonical JSON (tools and agents sorted by name), lower-case hex.</summary>
    public string Hash()
    {
        var canonical = this with
        {
            Tools = [.. Tools.OrderBy(t => t.Name, StringComparer.Ordinal)],
            Agents = [.. Agents.OrderBy(a => a.Name, StringComparer.Ordinal)],
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(canonical, WardenJson.Options))));
    }

    /// <summary>A snapshot's id: its graph and the first 16 hex digits of its hash, so equal content has one id.</summary>
    public string Id() => $"snap_{Hash()[..16]}";
}

public sealed record FrozenTool(string Name, string ActionClass, string? Endpoint, string? InputSchema, string? Description);

public sealed record FrozenAgent(string Name, string Role, string? Prompt, string? Provider, string? Model, IReadOnlyList<string> Tools);
