namespace Warden.Runtime.Secrets;

/// <summary>Where secret settings come from. Names are setting names (<c>OPENAI_API_KEY</c>); a source maps them as it needs.</summary>
public interface ISecretSource
{
    /// <summary>The secret's value, or null when it is not set. A source that cannot answer throws a
    /// <see cref="Hosting.ConfigurationException"/> naming the secret, never its value.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "Get reads naturally here; the interface is not meant for VB implementers.")]
    string? Get(string name);
}

/// <summary>Secrets read like any other setting (the process environment, or a host's configuration).</summary>
public sealed class EnvironmentSecretSource(Func<string, string?>? read = null) : ISecretSource
{
    private readonly Func<string, string?> _read = read ?? Environment.GetEnvironmentVariable;

    public string? Get(string name) => _read(name) is { Length: > 0 } value ? value : null;
}
