using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Warden.Runtime.Tests.Support;

/// <summary>
/// A throwaway Azurite (the Azure Storage emulator: blobs, queues, tables) for the test run, on free loopback ports
/// with in-memory persistence, stopped at the end. Azurite is required: scripts/test.sh installs it with npm into
/// .tools/azurite when it is missing (AZURITE_BIN points elsewhere); without it the tests fail and say so, instead of
/// skipping and passing on a machine that tested nothing.
/// </summary>
public sealed class AzuriteServer : IAsyncLifetime
{
    public const string Collection = "Azurite";

    /// <summary>Azurite's well-known development account (public, the same in every Azurite).</summary>
    public const string AccountName = "devstoreaccount1";

    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private Process? _process;
    private string? _workspace;

    public int BlobPort { get; private set; }

    public int QueuePort { get; private set; }

    public int TablePort { get; private set; }

    /// <summary>A storage connection string for all three services, the form of AzureWebJobsStorage.</summary>
    public string ConnectionString => string.Create(
        CultureInfo.InvariantCulture,
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};"
        + $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};");

    public async Task InitializeAsync()
    {
        var azurite = Find() ?? throw new InvalidOperationException(
            "Azurite was not found (AZURITE_BIN, .tools/azurite/node_modules/.bin/azurite, or azurite on PATH). "
            + "The Azure Storage tests start a real Azurite: run ./scripts/test.sh, which installs it with npm, or `npm install --prefix .tools/azurite azurite`.");
        _workspace = Directory.CreateTempSubdirectory("warden-azurite-").FullName;
        BlobPort = FreePort();
        QueuePort = FreePort();
        TablePort = FreePort();
        var start = new ProcessStartInfo(azurite)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _workspace,
        };
        foreach (var arg in new[]
        {
            // In memory, so no --location (Azurite refuses both); the workspace is only its working directory.
            "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--blobPort", Port(BlobPort),
            "--queueHost", "127.0.0.1", "--queuePort", Port(QueuePort),
            "--tableHost", "127.0.0.1", "--tablePort", Port(TablePort),
        })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {azurite}");
        var output = new System.Text.StringBuilder();
        _process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            while (!await AcceptsAsync(port))
            {
                if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    string log;
                    lock (output)
                    {
                        log = output.ToString();
                    }

                    await DisposeAsync();
                    throw new InvalidOperationException($"Azurite did not listen on 127.0.0.1:{port}: {log}");
                }

                await Task.Delay(100);
            }
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }

            process.Dispose();
            _process = null;
        }

        if (_workspace is { } workspace && Directory.Exists(workspace))
        {
            Directory.Delete(workspace, recursive: true);
            _workspace = null;
        }

        return Task.CompletedTask;
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var local = Path.Combine(dir.FullName, ".tools", "azurite", "node_modules", ".bin", "azurite");
            if (File.Exists(local))
            {
                return local;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Path.Combine(p, "azurite"))
            .FirstOrDefault(File.Exists);
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(AzuriteServer.Collection)]
public sealed class AzuriteServerGroup : ICollectionFixture<AzuriteServer>;
