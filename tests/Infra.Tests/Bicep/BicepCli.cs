using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Warden.Infra.Tests.Bicep;

/// <summary>
/// The Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package (its tools/bicep), run as a child process.
/// NuGet does not keep the executable bit on extraction everywhere, so it is set here before the first run.
/// <para>
/// The CLI has no telemetry of its own, but every compilation tries an HTTPS request to aka.ms (seen with strace and a
/// recording proxy on 0.49.2), retried many times. On a machine without internet the DNS lookup fails at once; to keep
/// that true wherever the tests run, and to keep the request from leaving the machine at all, the proxy variables
/// point at a loopback port nothing listens on, so the attempt is refused locally. The run is also bounded in time.
/// </para>
/// </summary>
internal static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public static string BicepDirectory { get; } = Path.Combine(RepositoryRoot, "infra", "bicep");

    public static string MainTemplate { get; } = Path.Combine(BicepDirectory, "main.bicep");

    public static async Task<BicepResult> RunAsync(params string[] arguments)
    {
        var executable = Executable();
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Port 9 (discard) on loopback: nothing listens there, so any outbound request is refused before it leaves.
        start.Environment["HTTPS_PROXY"] = "http://127.0.0.1:9";
        start.Environment["HTTP_PROXY"] = "http://127.0.0.1:9";
        start.Environment["NO_PROXY"] = string.Empty;
        start.Environment["BICEP_TRACING_ENABLED"] = "false";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds:0} s");
        }

        return new BicepResult(process.ExitCode, await stdout, await stderr);
    }

    private static string Executable()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            throw new PlatformNotSupportedException("the Bicep CLI package referenced here is linux-x64; run these tests on Linux x64 (as CI does)");
        }

        var path = Metadata("BicepPath");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Bicep CLI not found at {path}; restore tests/Infra.Tests (package Azure.Bicep.CommandLine.linux-x64)", path);
        }

        var mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }

        return path;
    }

    private static string Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"assembly metadata {key} is missing; it is set in Infra.Tests.csproj");
}

/// <summary>What one Bicep run printed. Diagnostics go to standard error, one per line.</summary>
internal sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The diagnostic lines (<c>path(line,col) : Warning rule: text</c>, or <c>Error</c>, <c>Info</c>).</summary>
    public IReadOnlyList<string> Diagnostics =>
        StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains(" : Error ", StringComparison.Ordinal) || l.Contains(" : Warning ", StringComparison.Ordinal) || l.Contains(" : Info ", StringComparison.Ordinal))
            .ToList();

    /// <summary>Everything the run said, for a failure message.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append("exit code ").Append(ExitCode).AppendLine();
        text.AppendLine("--- stderr ---").AppendLine(StandardError.TrimEnd());
        if (ExitCode != 0 && StandardOutput.Length < 4000)
        {
            text.AppendLine("--- stdout ---").AppendLine(StandardOutput.TrimEnd());
        }

        return text.ToString();
    }
}
