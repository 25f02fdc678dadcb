using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace Warden.Runtime.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL server for the test run: <c>initdb</c> into a temp directory (trust auth, superuser
/// postgres), <c>pg_ctl start</c> on a free loopback port with its socket in that directory, a fresh database per
/// test, and the whole cluster stopped and deleted at the end. The binaries are required: without them the tests fail
/// and say how to install them (CI's .ci/run does), instead of skipping and passing on a machine that tested nothing.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string Collection = "PostgreSQL server";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private string? _root;
    private string? _bin;
    private string? _runAs;

    public int Port { get; private set; }

    /// <summary>An Npgsql connection string for a database of this server.</summary>
    public string ConnectionString(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=30;Command Timeout=60");

    /// <summary>The same database as a libpq URI, the form users put in WARDEN_STORE.</summary>
    public string Uri(string database) => string.Create(CultureInfo.InvariantCulture, $"postgres://postgres@127.0.0.1:{Port}/{database}?sslmode=disable");

    /// <summary>Creates an empty database and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "warden_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return name;
    }

    public async Task InitializeAsync()
    {
        _bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin or on PATH. "
            + "The PostgreSQL store tests start a real server: install it (Debian/Ubuntu: apt-get install -y postgresql; .ci/run does this on CI).");
        _root = Directory.CreateTempSubdirectory("warden-pg-").FullName;
        try
        {
            // initdb and postgres refuse to run as root; a root test run (containers) runs them as the postgres user.
            if (Environment.UserName == "root")
            {
                _runAs = "postgres";
                await RunAsync("chown", ["postgres:postgres", _root], asServer: false);
            }

            var data = Path.Combine(_root, "data");
            await RunAsync(Path.Combine(_bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]);
            Port = FreePort();

            // Durability is not under test here: fsync off keeps a two-core machine fast.
            var options = string.Create(
                CultureInfo.InvariantCulture,
                $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={_root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300");
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(_root, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
        }
        catch
        {
            Directory.Delete(_root, recursive: true);
            _root = null;
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_root is null || _bin is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_root, "data"), "-m", "fast", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string? FindBinaries()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(HasServerBinaries)
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return installed ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(HasServerBinaries);
    }

    private static bool HasServerBinaries(string dir) => IsFile(Path.Combine(dir, "initdb")) && IsFile(Path.Combine(dir, "pg_ctl"));

    /// <summary>A file, following links: a link left behind by an uninstalled package does not count.</summary>
    private static bool IsFile(string path)
    {
        var file = new FileInfo(path);
        return file.Exists && (file.LinkTarget is null || file.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task RunAsync(string program, IReadOnlyList<string> args, bool asServer = true)
    {
        var info = new ProcessStartInfo(asServer && _runAs is not null ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root ?? Path.GetTempPath(),
        };
        if (asServer && _runAs is not null)
        {
            foreach (var arg in new[] { "-u", _runAs, "--", program })
            {
                info.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        using var timeout = new CancellationTokenSource(CommandTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var log = _root is not null && File.Exists(Path.Combine(_root, "server.log")) ? await File.ReadAllTextAsync(Path.Combine(_root, "server.log")) : string.Empty;
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await output}\n{await error}\n{log}");
        }
    }
}

/// <summary>Test classes that use the server share it and run one after another.</summary>
[CollectionDefinition(PostgresServer.Collection)]
public sealed class PostgresServerGroup : ICollectionFixture<PostgresServer>
{
}
