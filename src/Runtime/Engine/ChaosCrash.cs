using System.Diagnostics;

namespace Warden.Runtime.Engine;

/// <summary>How chaos's <c>crash_after_steps</c> ends the engine: a real kill, as a power cut or an OOM killer would.</summary>
public static class ChaosCrash
{
    /// <summary>The timeline entry written, in the transaction of the k-th step, before the process is killed.</summary>
    public const string CrashEvent = "chaos.crash";

    /// <summary>The entry written instead when this process may not be killed (it did not opt in).</summary>
    public const string SkippedEvent = "chaos.crash_skipped";

    /// <summary>
    /// SIGKILL on Unix (TerminateProcess on Windows): no finally blocks, no flush, no graceful shutdown. Whatever
    /// was committed survives, which is the point.
    /// </summary>
    public static void KillThisProcess(string runId)
    {
        using var self = Process.GetCurrentProcess();
        self.Kill();
    }
}
