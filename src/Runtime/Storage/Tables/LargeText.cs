using System.IO.Compression;
using System.Text;
using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// Strings longer than one table property holds (64 KiB, i.e. 32 K UTF-16 characters): a short value is the plain
/// string property <c>State</c>; a longer one is gzipped UTF-8 across binary properties <c>State_z0</c>,
/// <c>State_z1</c>, ... (60,000 bytes each). Run state is JSON and compresses several times over, so a state of a few
/// MB fits the entity's 1 MiB; past that the service rejects the write (EntityTooLarge) rather than truncating it.
/// </summary>
internal static class LargeText
{
    private const int PlainChars = 30_000;
    private const int PartBytes = 60_000;

    public static void Write(TableEntity entity, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length <= PlainChars)
        {
            entity[name] = value;
            return;
        }

        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(value));
        }

        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        for (var part = 0; part * PartBytes < bytes.Length; part++)
        {
            entity[PartName(name, part)] = bytes.Slice(part * PartBytes, Math.Min(PartBytes, bytes.Length - (part * PartBytes))).ToArray();
        }
    }

    public static string? Read(TableEntity entity, string name)
    {
        if (entity.GetString(name) is { } plain)
        {
            return plain;
        }

        if (entity.GetBinary(PartName(name, 0)) is null)
        {
            return null;
        }

        using var compressed = new MemoryStream();
        for (var part = 0; entity.GetBinary(PartName(name, part)) is { } bytes; part++)
        {
            compressed.Write(bytes);
        }

        compressed.Position = 0;
        using var gzip = new GZipStream(compressed, CompressionMode.Decompress);
        using var text = new StreamReader(gzip, Encoding.UTF8);
        return text.ReadToEnd();
    }

    private static string PartName(string name, int part) => $"{name}_z{part}";
}
