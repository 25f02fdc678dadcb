using System.Text;

namespace Warden.Core.Runs;

/// <summary>
/// FNV-1a over the parts' UTF-8 bytes. Stable across processes and platforms (unlike string.GetHashCode),
/// which is what seeded jitter, mock outputs and derived ids need to replay identically.
/// </summary>
public static class StableHash
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static ulong Of(params object[] parts)
    {
        var hash = Offset;
        Span<byte> buffer = stackalloc byte[256];
        foreach (var part in parts)
        {
            var text = Convert.ToString(part, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
            var bytes = text.Length * 3 <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
            foreach (var b in bytes)
            {
                hash = (hash ^ b) * Prime;
            }

            hash = (hash ^ 0x1F) * Prime;
        }

        // Final avalanche so nearby inputs spread over the whole range.
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash;
    }

    /// <summary>A number in [0, 1) determined by the parts.</summary>
    public static double Unit(params object[] parts) => (Of(parts) >> 11) * (1.0 / (1UL << 53));

    public static string Id(string prefix, params object[] parts) => prefix + Of(parts).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
