using System.Globalization;

namespace Warden.Bench;

/// <summary>
/// Linux only: CPU time of the engine's single writer, the one thread the engine starts as a long-running task
/// (named ".NET Long Running Task", shown truncated in /proc). Tells whether the writer is the bottleneck.
/// </summary>
public static class WriterThreadCpu
{
    private const string ThreadName = ".NET Long Runni";

    /// <summary>Kernel clock ticks for /proc times (USER_HZ), 100 on Linux.</summary>
    private const double TicksPerSecond = 100;

    public static TimeSpan? Read()
    {
        const string tasks = "/proc/self/task";
        if (!OperatingSystem.IsLinux() || !Directory.Exists(tasks))
        {
            return null;
        }

        long ticks = 0;
        var found = false;
        foreach (var dir in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n') != ThreadName)
                {
                    continue;
                }

                // Fields after the parenthesised name: state is field 3, utime 14 and stime 15.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                found = true;
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }

        return found ? TimeSpan.FromSeconds(ticks / TicksPerSecond) : null;
    }
}
