using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Warden.Cli.Client;

namespace Warden.Cli.Commands.Testing;

/// <summary>
/// A `warden serve` of this same program, started by `warden test` for a crash case: its own temp data directory, a
/// loopback port, a bootstrap key, and WARDEN_CHAOS_CRASH=allow set on it alone, so the run may kill it and nothing
/// else. Started again on the same directory after the kill, it resumes the run.
/// </summary>
public sealed class ChildWarden : IDisposable
{
    private const int MaxOutput = 64 * 1024;
    private readonly Process _process;
    private readonly StringBuilder _output;

    private ChildWarden(Process process, StringBuilder output, WardenClient client)
    {
        _process = process;
        _output = output;
        Client = client;
    }

    public WardenClient Client { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What the child printed (the last 64 KiB), for an error that needs it.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<ChildWarden> StartAsync(string dataDirectory, int port, string apiKey, CancellationToken ct)
    {
        var host = Environment.ProcessPath ?? throw new CliException("cannot tell which program to start for the crash case's `warden serve`");
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "warden.dll"));
        }

        foreach (var arg in new[] { "serve", "--urls", $"http://127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["WARDEN_DATA_DIR"] = dataDirectory;
        info.Environment["WARDEN_BOOTSTRAP_API_KEY"] = apiKey;
        info.Environment["WARDEN_CHAOS_CRASH"] = "allow";
        info.Environment["WARDEN_STORE"] = "sqlite";
        info.Environment["WARDEN_SQLITE_SYNCHRONOUS"] = "NORMAL";
        info.Environment.Remove("WARDEN_URL");

        var output = new StringBuilder();
        var process = Process.Start(info) ?? throw new CliException($"could not start {host} serve for the crash case");
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new ChildWarden(process, output, WardenClient.Create($"http://127.0.0.1:{port}", apiKey));
        try
        {
            await child.WaitHealthyAsync(port, ct);
            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    /// <summary>How the process ended, in words: a kill by signal shows as 128 + the signal on Unix.</summary>
    public string DescribeExit() => ExitCode switch
    {
        137 when !OperatingSystem.IsWindows() => "killed by SIGKILL (exit 137)",
        var code => $"exited with code {code}",
    };

    /// <summary>Whether the process ended by a kill rather than by exiting (SIGKILL on Unix, TerminateProcess's -1 on Windows).</summary>
    public bool WasKilled => OperatingSystem.IsWindows() ? ExitCode == -1 : ExitCode == 137;

    public void Dispose()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
            if (output.Length > MaxOutput)
            {
                output.Remove(0, output.Length - MaxOutput);
            }
        }
    }

    private async Task WaitHealthyAsync(int port, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new CliException($"the crash case's `warden serve` exited at start ({DescribeExit()}):\n{Output}");
            }

            try
            {
                if ((await http.GetAsync("/health", ct)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, ct);
        }

        throw new CliException($"the crash case's `warden serve` did not become healthy within 60s:\n{Output}");
    }
}
