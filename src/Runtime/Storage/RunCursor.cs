using System.Text;

namespace Warden.Runtime.Storage;

/// <summary>The runs list's opaque keyset cursor over (created_at, id), the same on every backend.</summary>
internal static class RunCursor
{
    public static string Encode(string createdAt, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{createdAt}|{id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A page of runs read with one row more than <paramref name="limit"/>: that row, if there, says a next page exists.</summary>
    public static Page<RunRecord> Page(List<RunRecord> rows, int limit)
    {
        string? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(rows.Count - 1);
            next = Encode(rows[^1].CreatedAt, rows[^1].Id);
        }

        return new Page<RunRecord>(rows, next);
    }

    public static bool TryDecode(string? cursor, out string createdAt, out string id)
    {
        createdAt = id = string.Empty;
        if (string.IsNullOrEmpty(cursor))
        {
            return false;
        }

        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('|');
            if (parts.Length != 2)
            {
                throw new ArgumentException("the cursor is not one this server issued", nameof(cursor));
            }

            (createdAt, id) = (parts[0], parts[1]);
            return true;
        }
        catch (FormatException ex)
        {
            throw new ArgumentException("the cursor is not one this server issued", nameof(cursor), ex);
        }
    }
}
