using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// PartitionKey and RowKey values. Table Storage refuses '/', '\', '#', '?' and control characters in keys; ids that
/// hold them (and '|', the separator of composite row keys, and '%', the escape) are written as %XX. Every entity also
/// keeps its id as a plain property, so keys are only ever built, never parsed back.
/// </summary>
internal static class TableKeys
{
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

    /// <summary>A sequence number as a row key: zero-padded to 19 digits, so row keys sort as the numbers do.</summary>
    public static string Number(long value) => value.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>The filter for row keys that start with <paramref name="prefix"/> (which must end in '|'): '}' follows '|'.</summary>
    public static string PrefixFilter(string partitionKey, string prefix) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey gt {prefix} and RowKey lt {prefix[..^1] + "}"}");

    /// <summary>An insert lost to another writer (409) or a write whose If-Match ETag went stale (412).</summary>
    public static bool IsConflict(RequestFailedException ex) => ex.Status is 409 or 412;

    private static bool NeedsEscape(char c) => c is '/' or '\\' or '#' or '?' or '|' or '%' || char.IsControl(c);
}
