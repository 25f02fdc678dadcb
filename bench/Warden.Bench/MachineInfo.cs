using System.Runtime;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Warden.Runtime.Storage;

namespace Warden.Bench;

/// <summary>What the figures were measured on.</summary>
public sealed record MachineInfo(
    int Cores,
    string? CpuModel,
    string Os,
    string Architecture,
    string Runtime,
    string Gc,
    string SqliteVersion,
    string DataRoot,
    string? FileSystem,
    DateTimeOffset Date)
{
    public static MachineInfo Describe(string dataRoot)
    {
        string sqliteVersion;
        var probe = Path.Combine(dataRoot, "probe");
        var db = new SqliteDatabase(probe);
        using (var connection = db.Open())
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT sqlite_version()";
            sqliteVersion = (string)cmd.ExecuteScalar()!;
        }

        SqliteConnection.ClearAllPools();
        return new MachineInfo(
            Environment.ProcessorCount,
            ReadCpuModel(),
            RuntimeInformation.OSDescription,
            RuntimeInformation.ProcessArchitecture.ToString(),
            RuntimeInformation.FrameworkDescription,
            GCSettings.IsServerGC ? "server" : "workstation" + (GCSettings.LatencyMode == GCLatencyMode.Interactive ? ", concurrent" : string.Empty),
            sqliteVersion,
            Path.GetFullPath(dataRoot),
            FileSystemOf(Path.GetFullPath(dataRoot)),
            DateTimeOffset.UtcNow);
    }

    private static string? ReadCpuModel()
    {
        const string path = "/proc/cpuinfo";
        if (!OperatingSystem.IsLinux() || !File.Exists(path))
        {
            return null;
        }

        return File.ReadLines(path)
            .Where(l => l.StartsWith("model name", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
            .FirstOrDefault();
    }

    /// <summary>Linux only: the device and type of the mount holding <paramref name="path"/> (longest matching mount point).</summary>
    private static string? FileSystemOf(string path)
    {
        const string mounts = "/proc/mounts";
        if (!OperatingSystem.IsLinux() || !File.Exists(mounts))
        {
            return null;
        }

        var best = File.ReadLines(mounts)
            .Select(l => l.Split(' '))
            .Where(f => f.Length >= 3 && (path == f[1] || path.StartsWith(f[1].TrimEnd('/') + "/", StringComparison.Ordinal)))
            .MaxBy(f => f[1].Length);
        return best is null ? null : $"{best[2]} on {best[0]} (mounted at {best[1]})";
    }
}
