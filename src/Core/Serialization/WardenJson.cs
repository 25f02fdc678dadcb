using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Warden.Core.Serialization;

/// <summary>
/// The one serializer configuration for persisted state, events and the HTTP API. Changing the naming
/// policy or enum handling here changes the stored format of runs in flight: only additive changes.
/// </summary>
public static class WardenJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

            // Responses are JSON, never HTML: keep '+', quotes and non-ASCII text readable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.Converters.Add(new DurationJsonConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"expected a {typeof(T).Name}, got null");
}

/// <summary>TimeSpans travel as the durations people write in graphs ("30s", "1h30m").</summary>
public sealed class DurationJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (Graphs.Durations.TryParse(text, out var value))
        {
            return value;
        }

        return TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out value)
            ? value
            : throw new JsonException($"'{text}' is not a duration");
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Graphs.Durations.Format(value));
}
