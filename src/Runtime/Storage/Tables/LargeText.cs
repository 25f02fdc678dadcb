using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// Strings longer than a table property holds (64 KiB, i.e. 32 K UTF-16 characters) across several properties:
/// <c>State</c>, <c>State_1</c>, <c>State_2</c>, ... An entity holds 1 MiB in all, so one value tops out near 480 K
/// characters; the service rejects a larger entity, and the write fails rather than truncating.
/// </summary>
internal static class LargeText
{
    private const int ChunkChars = 30_000;

    public static void Write(TableEntity entity, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        var part = 0;
        var start = 0;
        do
        {
            var length = Math.Min(ChunkChars, value.Length - start);

            // Never cut a surrogate pair in two: each part must be valid UTF-16 on the wire.
            if (start + length < value.Length && char.IsHighSurrogate(value[start + length - 1]))
            {
                length--;
            }

            entity[PartName(name, part++)] = value.Substring(start, length);
            start += length;
        }
        while (start < value.Length);
    }

    public static string? Read(TableEntity entity, string name)
    {
        if (entity.GetString(name) is not { } first)
        {
            return null;
        }

        if (!entity.ContainsKey(PartName(name, 1)))
        {
            return first;
        }

        var text = new System.Text.StringBuilder(first);
        for (var part = 1; entity.GetString(PartName(name, part)) is { } next; part++)
        {
            text.Append(next);
        }

        return text.ToString();
    }

    private static string PartName(string name, int part) => part == 0 ? name : $"{name}_{part}";
}
