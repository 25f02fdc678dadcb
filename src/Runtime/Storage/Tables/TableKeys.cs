using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// How Warden's values become PartitionKeys and RowKeys: keys sort as ordinal strings, so numbers are zero-padded,
/// "newest first" is an inverted key, and the characters keys may not hold ('/', '\', '#', '?', control characters)
/// are escaped as %XX, with '%' itself and the '|' that separates key parts. Every entity also keeps its ids as plain
/// properties, so keys are only ever built, never parsed back.
/// </summary>
internal static class TableKeys
{
    /// <summary>Separates the parts of a composite key; escaped inside the parts, so a part never contains it.</summary>
    public const char Separator = '|';

    /// <summary>A part of a key, escaped.</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Any(NeedsEscape))
        {
            return value;
        }

        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (NeedsEscape(c))
            {
                // Every character that needs it is below U+00A0: two hex digits suffice.
                text.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>A non-negative number as 19 digits, so keys sort in numeric order.</summary>
    public static string Number(long value) => value.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>
    /// A key that sorts a tenant's runs newest first, in the order the SQLite store lists them (created_at DESC, id DESC):
    /// the inverted creation ticks, then the id with every character inverted (a shorter id sorts after the longer ids it starts).
    /// </summary>
    /// <exception cref="ArgumentException">createdAt is not a timestamp (a forged cursor).</exception>
    public static string Newest(string createdAt, string runId)
    {
        if (!DateTimeOffset.TryParse(createdAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
        {
            throw new ArgumentException("the cursor is not one this server issued", nameof(createdAt));
        }

        var text = new StringBuilder(20 + (runId.Length * 4) + 1);
        text.Append(Number(DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks)).Append(Separator);
        foreach (var c in runId)
        {
            text.Append((0xFFFF - c).ToString("X4", CultureInfo.InvariantCulture));
        }

        // Above every hex digit: "run_1" ends here where "run_12" goes on, so "run_12" (the larger id) comes first.
        return text.Append('~').ToString();
    }

    /// <summary>The first key after every key that starts with <paramref name="prefix"/>: the exclusive end of a prefix range.</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    /// <summary>The filter for row keys that start with <paramref name="prefix"/> (which must end in '|').</summary>
    public static string PrefixFilter(string partitionKey, string prefix) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey gt {prefix} and RowKey lt {PrefixEnd(prefix)}");

    /// <summary>An insert lost to another writer (409) or a write whose If-Match ETag went stale (412).</summary>
    public static bool IsConflict(RequestFailedException ex) => ex.Status is 409 or 412;

    private static bool NeedsEscape(char c) => c is '/' or '\\' or '#' or '?' or '%' or Separator || char.IsControl(c);
}
