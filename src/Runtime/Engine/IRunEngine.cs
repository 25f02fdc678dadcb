using Warden.Core.Runs;

namespace Warden.Runtime.Engine;

/// <summary>
/// The port the HTTP API drives. The embedded engine implements it over SQLite; the Azure host implements
/// it over Durable Functions. Both feed the same <see cref="RunDecider"/>.
/// </summary>
public interface IRunEngine
{
    /// <summary>Starts a run of a graph version (the latest when none is given).</summary>
    /// <exception cref="NotFoundException">The graph or version does not exist for the tenant.</exception>
    Task<StartRunResult> StartRunAsync(StartRunRequest request, CancellationToken ct = default);

    /// <summary>Delivers an approval decision or control signal; returns once its decision is durable.</summary>
    Task<SignalResult> SignalAsync(string tenantId, string runId, SignalReceived signal, CancellationToken ct = default);

    /// <summary>Completes when the run may have changed, or after <paramref name="timeout"/>.</summary>
    Task WaitForChangeAsync(string runId, TimeSpan timeout, CancellationToken ct = default);

    /// <summary>
    /// Why this engine cannot carry out chaos's <c>crash_after_steps</c> (kill its own process after a step), or
    /// null when it can: only a process that opted in (WARDEN_CHAOS_CRASH=allow) may be killed.
    /// </summary>
    string? CrashRefusal { get; }
}

public sealed record StartRunRequest(string TenantId, string GraphId, long? Version, string Input, long? Seed = null, RunOptions? Options = null, string? SnapshotId = null);

public sealed record StartRunResult(string RunId, string GraphId, long GraphVersion, RunStatus Status);

public enum SignalStatus
{
    Applied,
    NotFound,
    Rejected,
}

public sealed record SignalResult(SignalStatus Status, RunStatus? RunStatus = null, DecisionRejection? Rejection = null);

/// <summary>A tenant-scoped resource that does not exist (or belongs to another tenant, which looks the same).</summary>
public sealed class NotFoundException : Exception
{
    public NotFoundException()
    {
    }

    public NotFoundException(string message)
        : base(message)
    {
    }

    public NotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The tenant's budget is spent: no new runs until an admin raises it.</summary>
public sealed class BudgetExceededException : Exception
{
    public BudgetExceededException()
    {
    }

    public BudgetExceededException(string message)
        : base(message)
    {
    }

    public BudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
