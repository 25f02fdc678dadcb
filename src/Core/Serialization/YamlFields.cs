using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Warden.Core.Serialization;

/// <summary>Reading fields of a YAML mapping the way Warden's documents (graphs, suites) read them.</summary>
internal static class YamlFields
{
    /// <summary>The value under a key; an empty value (<c>edges:</c> with nothing after it, or <c>~</c>) counts as absent.</summary>
    public static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value)
            && !(value is YamlScalarNode { Style: ScalarStyle.Plain } scalar && (string.IsNullOrEmpty(scalar.Value) || scalar.Value == "~" || scalar.Value == "null"))
            ? value
            : null;

    /// <summary>The keys of the mapping that are not among <paramref name="allowed"/>, with their names.</summary>
    public static IEnumerable<(YamlNode Key, string Name)> Unknown(YamlMappingNode map, IReadOnlySet<string> allowed) =>
        map.Children.Keys
            .Select(key => (Key: key, Name: (key as YamlScalarNode)?.Value ?? "?"))
            .Where(k => !allowed.Contains(k.Name));
}
