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
    /// <summary>
    /// A document too long for one entity, as rows of one partition: the head row (<paramref name="head"/>'s fields and the
    /// first chunks of <paramref name="text"/>) at <paramref name="key"/>, then part rows at <c>key|0001</c>, ... with the
    /// rest, <paramref name="chunksPerRow"/> chunks to a row, so a range read from the key returns them in order.
    /// </summary>
    public static IEnumerable<TableEntity> PartRows(string partition, string key, IReadOnlyDictionary<string, object> head, string property, string text, int chunksPerRow)
    {
        var chunks = Split(text);
        for (var part = 0; part * chunksPerRow < chunks.Count; part++)
        {
            var row = new TableEntity(partition, part == 0 ? key : $"{key}|{part:D4}");
            if (part == 0)
            {
                foreach (var (name, value) in head)
                {
                    row[name] = value;
                }
            }
            else
            {
                row["Part"] = part;
            }

            WriteChunks(row, property, chunks.Skip(part * chunksPerRow).Take(chunksPerRow));
            yield return row;
        }
    }

    /// <summary>
    /// Reads back what <see cref="PartRows"/> wrote, for every document the rows hold (in row-key order): each head row with
    /// its whole text, its part rows appended.
    /// </summary>
    public static async Task<List<(TableEntity Head, string Text)>> ReadPartRowsAsync(IAsyncEnumerable<TableEntity> rows, string property)
    {
        var documents = new List<(TableEntity Head, string Text)>();
        TableEntity? head = null;
        var text = new System.Text.StringBuilder();
        await foreach (var row in rows)
        {
            if (row.GetInt32("Part") is > 0)
            {
                text.Append(Read(row, property));
                continue;
            }

            if (head is not null)
            {
                documents.Add((head, text.ToString()));
            }

            head = row;
            text.Clear().Append(Read(row, property));
        }

        if (head is not null)
        {
            documents.Add((head, text.ToString()));
        }

        return documents;
    }

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
