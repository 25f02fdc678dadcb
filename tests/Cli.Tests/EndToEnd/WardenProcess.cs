using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>The real `warden` program in its own process, as a user starts it.</summary>
public sealed class WardenProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WardenProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

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

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The built warden.dll next to this test assembly, or in src/Cli's output for the same configuration.</summary>
    public static string WardenDll
    {
        get
        {
            var local = Path.Combine(AppContext.BaseDirectory, "warden.dll");
            if (File.Exists(local) && File.Exists(Path.Combine(AppContext.BaseDirectory, "warden.runtimeconfig.json")))
            {
                return local;
            }

            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Name;
            var repo = new DirectoryInfo(AppContext.BaseDirectory);
            while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Functions.sln")))
            {
                repo = repo.Parent;
            }

            return Path.Combine(repo!.FullName, "src", "Cli", "bin", configuration, "net10.0", "warden.dll");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static WardenProcess Start(IDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(WardenDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new WardenProcess(Process.Start(info)!);
    }

    /// <summary>Waits for the process to exit (bounded); returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — what a crash or `kill -9` does.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
