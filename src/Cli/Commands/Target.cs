namespace Warden.Cli.Commands;

/// <summary>Where a command acts: a server (URL and key) or the embedded engine on a data directory.</summary>
public sealed record Target(string? Server, string? ApiKey, string DataDirectory)
{
    public bool IsRemote => Server is not null;

    public Client.WardenClient Connect() =>
        Client.WardenClient.Create(
            Server!,
            ApiKey ?? throw new Client.CliException("--api-key (or WARDEN_API_KEY) is required with --server", 2));
}
