using System.Text.Json;

namespace Warden.Functions.Tests.Support;

/// <summary>
/// What the Functions worker does to every payload: System.Text.Json with default options, the root serialized as
/// its runtime type. Tests pass payloads through it so a contract the worker cannot carry fails here.
/// </summary>
public static class Wire
{
    private static readonly JsonSerializerOptions Options = new();

    public static object? RoundTrip(object? value, Type target) =>
        value is null ? null : JsonSerializer.Deserialize(JsonSerializer.Serialize(value, value.GetType(), Options), target, Options);

    public static T RoundTrip<T>(T value) => (T)RoundTrip(value, typeof(T))!;

    public static string Json(object value) => JsonSerializer.Serialize(value, value.GetType(), Options);
}
