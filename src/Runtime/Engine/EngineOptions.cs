namespace Warden.Runtime.Engine;

public sealed class EngineOptions
{
    /// <summary>Concurrent node executions (the bounded worker pool).</summary>
    public int Workers { get; set; } = 16;

    /// <summary>Most decisions committed in one transaction (group commit across runs).</summary>
    public int MaxBatch { get; set; } = 512;

    /// <summary>How often the writer looks for due timers when nothing else wakes it.</summary>
    public TimeSpan TimerPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Ack timeout and retries of oversight tasks (TASK_ACK_TIMEOUT_SECONDS, TASK_MAX_RETRIES).</summary>
    public Core.Oversight.Tasks.TaskOptions Tasks { get; set; } = Core.Oversight.Tasks.TaskOptions.Default;

    /// <summary>
    /// The audit log lives in another store (PostgreSQL): the writer queues its audit rows in the local audit_outbox,
    /// in the transaction of the decision, for the forwarder to append there, instead of appending to a local chain.
    /// </summary>
    public bool ForwardAudit { get; set; }

    /// <summary>
    /// This process may be killed by a run's chaos (<c>crash_after_steps</c>): WARDEN_CHAOS_CRASH=allow, which
    /// `warden test` sets on the `warden serve` it starts. Off everywhere else, so no run can kill a shared server.
    /// </summary>
    public bool AllowChaosCrash { get; set; }

    /// <summary>What a due chaos crash does: SIGKILL this process (a test may stand in for it).</summary>
    public Action<string> ChaosKill { get; set; } = ChaosCrash.KillThisProcess;

    /// <summary>Called with each hop's latency (dispatch to committed result), for benchmarks.</summary>
    public Action<TimeSpan>? OnHop { get; set; }
}
