using System.Text.Json;
using Spectre.Console;
using Warden.Cli.Client;
using Warden.Runtime.Storage;

namespace Warden.Cli.Commands;

/// <summary>
/// `warden releases`, `warden release` and `warden rollback`: a graph's channels through the API, on a server or on
/// the embedded engine in this process (so a local release is audited exactly like a remote one).
/// </summary>
public static class ReleaseCommands
{
    internal static readonly string[] Channels = ["active", "candidate"];

    public static Task<int> ListAsync(Target target, string graphId, IAnsiConsole console, CancellationToken ct) =>
        WithClientAsync(target, async client =>
        {
            var releases = await client.ListReleasesAsync(graphId, ct);
            var snapshots = (await client.ListSnapshotsAsync(graphId, ct)).GetProperty("items").EnumerateArray()
                .ToDictionary(s => s.GetProperty("snapshot_id").GetString()!, s => s.GetProperty("graph_version").GetInt64());
            foreach (var channel in releases.GetProperty("channels").EnumerateObject())
            {
                var id = channel.Value.ValueKind == JsonValueKind.String ? channel.Value.GetString()! : null;
                console.MarkupLine($"[bold]{channel.Name,-9}[/] {(id is null ? "[grey](none)[/]" : $"{id} (v{snapshots.GetValueOrDefault(id)})")}");
            }

            var table = new Table().AddColumns("#", "channel", "kind", "snapshot", "version", "replaced", "by", "at", "reason");
            foreach (var e in releases.GetProperty("history").EnumerateArray())
            {
                var snapshot = e.GetProperty("snapshot_id").GetString()!;
                table.AddRow(
                    e.GetProperty("seq").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    e.GetProperty("channel").GetString()!,
                    e.GetProperty("kind").GetString()!,
                    snapshot,
                    $"v{snapshots.GetValueOrDefault(snapshot)}",
                    Markup.Escape(e.TryGetProperty("previous", out var p) ? p.GetString() ?? "" : ""),
                    Markup.Escape(e.GetProperty("actor").GetString()!),
                    e.GetProperty("at").GetDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape(e.TryGetProperty("reason", out var r) ? r.GetString() ?? "" : ""));
            }

            console.Write(table);
            return 0;
        });

    public static Task<int> ReleaseAsync(Target target, string graphId, long? version, string? snapshot, string channel, string? reason, IAnsiConsole console, CancellationToken ct)
    {
        if ((version is null) == (snapshot is null))
        {
            throw new CliException("give exactly one of --version N or --snapshot ID", 2);
        }

        if (!Channels.Contains(channel))
        {
            throw new CliException($"--channel must be one of {string.Join(", ", Channels)}, not '{channel}'", 2);
        }

        return WithClientAsync(target, async client =>
        {
            var result = await client.ReleaseAsync(graphId, version, snapshot, channel, reason, ct);
            var moved = result.GetProperty("changed").GetBoolean();
            console.MarkupLine(moved
                ? $"[green]released[/] {graphId} v{result.GetProperty("graph_version").GetInt64()} ({result.GetProperty("snapshot_id").GetString()}) to {channel}"
                : $"{graphId} {channel} already points at v{result.GetProperty("graph_version").GetInt64()} ({result.GetProperty("snapshot_id").GetString()}); nothing moved");
            return 0;
        });
    }

    public static Task<int> RollbackAsync(Target target, string graphId, string? to, string? reason, IAnsiConsole console, CancellationToken ct) =>
        WithClientAsync(target, async client =>
        {
            var result = await client.RollbackAsync(graphId, to, reason, ct);
            console.MarkupLine($"[yellow]rolled back[/] {graphId}: active is now v{result.GetProperty("graph_version").GetInt64()} ({result.GetProperty("snapshot_id").GetString()})");
            return 0;
        });

    /// <summary>Runs <paramref name="action"/> against the server, or against the data directory's embedded engine in this process.</summary>
    internal static async Task<int> WithClientAsync(Target target, Func<WardenClient, Task<int>> action)
    {
        if (target.IsRemote)
        {
            using var client = target.Connect();
            return await action(client);
        }

        if (!File.Exists(Path.Combine(target.DataDirectory, "warden.db")))
        {
            throw new CliException($"no Warden data in '{Path.GetFullPath(target.DataDirectory)}'; pass --data-dir, or --server and --api-key", 2);
        }

        await using var local = await LocalWarden.StartAsync(target.DataDirectory, SqliteSynchronous.Normal, CancellationToken.None);
        return await action(local.Client);
    }
}
