using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Warden.Core.Runs.Replay;
using Warden.Core.Serialization;

namespace Warden.Runtime.Replay;

/// <summary>A recording as a file and as a stored document: Warden's JSON, identified by the hash of that JSON.</summary>
public static class RecordingJson
{
    public const string IdPrefix = "rec_";

    public static string Serialize(Recording recording) => WardenJson.Serialize(recording);

    /// <summary>Reads a recording file; a malformed one or one from a newer schema is an <see cref="InvalidDataException"/> saying why.</summary>
    public static Recording Parse(string json)
    {
        Recording recording;
        try
        {
            recording = WardenJson.Deserialize<Recording>(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"not a Warden recording: {ex.Message}", ex);
        }

        if (recording.SchemaVersion is < 1 or > Recording.CurrentSchemaVersion)
        {
            throw new InvalidDataException($"recording schema_version {recording.SchemaVersion} is not supported (this build reads 1 to {Recording.CurrentSchemaVersion})");
        }

        if (string.IsNullOrEmpty(recording.GraphId) || recording.Calls is null || recording.Input is null)
        {
            throw new InvalidDataException("a recording needs graph_id, input and calls");
        }

        return recording;
    }

    /// <summary>The same recording always gets the same id, in every tenant and deployment.</summary>
    public static string IdOf(Recording recording) =>
        IdPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Serialize(recording))))[..32];
}
