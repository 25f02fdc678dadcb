using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// Text longer than one property may hold (64 KiB, i.e. 32K UTF-16 characters) as a run of properties:
/// <c>Name</c>, <c>Name_1</c>, <c>Name_2</c>, ... of at most <see cref="ChunkChars"/> characters each, never splitting a
/// surrogate pair. One entity holds at most 1 MiB, so callers with still longer text spread the chunks over rows.
/// </summary>
internal static class TableText
{
    /// <summary>Half of a property's limit: 32 KiB of UTF-16.</summary>
    public const int ChunkChars = 16 * 1024;

    public static List<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chunks = new List<string>(text.Length / ChunkChars + 1);
        var start = 0;
        while (text.Length - start > ChunkChars)
        {
            var length = char.IsHighSurrogate(text[start + ChunkChars - 1]) ? ChunkChars - 1 : ChunkChars;
            chunks.Add(text.Substring(start, length));
            start += length;
        }

        chunks.Add(text[start..]);
        return chunks;
    }

    /// <summary>Writes the chunks as <c>name</c>, <c>name_1</c>, ...; nothing for null text (so it reads back as null).</summary>
    public static void Write(TableEntity entity, string name, string? text)
    {
        if (text is not null)
        {
            WriteChunks(entity, name, Split(text));
        }
    }

    public static void WriteChunks(TableEntity entity, string name, IEnumerable<string> chunks)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var i = 0;
        foreach (var chunk in chunks)
        {
            entity[i == 0 ? name : $"{name}_{i}"] = chunk;
            i++;
        }
    }

    /// <summary>The text <see cref="Write"/> wrote, or null when there is none.</summary>
    public static string? Read(TableEntity entity, string name)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (entity.GetString(name) is not { } first)
        {
            return null;
        }

        if (entity.GetString(name + "_1") is null)
        {
            return first;
        }

        var text = new System.Text.StringBuilder(first);
        for (var i = 1; entity.GetString($"{name}_{i}") is { } chunk; i++)
        {
            text.Append(chunk);
        }

        return text.ToString();
    }

    /// <summary>Sets a property unless the value is null: an absent property reads back as null.</summary>
    public static void Set(TableEntity entity, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (value is not null)
        {
            entity[name] = value;
        }
    }
}

internal static class TableEntityExtensions
{
    /// <summary>A string property every entity of its kind has; a missing one means the row was written by something else.</summary>
    public static string Required(this TableEntity entity, string name) =>
        entity.GetString(name) ?? throw new InvalidDataException($"table entity {entity.PartitionKey}/{entity.RowKey} has no {name}");
}
