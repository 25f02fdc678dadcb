using System.Globalization;
using Microsoft.Extensions.Logging;
using Warden.Core.Runs;
using Warden.Core.Runs.Chaos;
using Warden.Core.Serialization;

namespace Warden.Runtime.Engine;

/// <summary>
/// Chaos's crash: after the commit that records the k-th completed step of a run that asked for it, the process is
/// killed. The crash is written to the run's timeline in that same transaction, so the restarted engine resumes the
/// run and never crashes for it again.
/// </summary>
public sealed partial class EmbeddedEngine
{
    private (string RunId, int Steps)? _crashDue;

    public string? CrashRefusal => _options.AllowChaosCrash
        ? null
        : "this process did not opt in to being killed (WARDEN_CHAOS_CRASH=allow, which `warden test` sets on the `warden serve` it starts for a crash case)";

    /// <summary>Called in the writer's transaction after a step's success was applied.</summary>
    private void NoteCompletedStep(EngineSql sql, LiveRun live, DateTimeOffset at)
    {
        var state = live.State;
        if (state.Options?.Chaos is not { CrashAfterSteps: { } k } chaos)
        {
            return;
        }

        var completed = Count(sql, state.RunId, "node.completed");
        if (!ChaosPlan.CrashDue(chaos, completed) || Count(sql, state.RunId, ChaosCrash.CrashEvent) + Count(sql, state.RunId, ChaosCrash.SkippedEvent) > 0)
        {
            return;
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["after_steps"] = k.ToString(CultureInfo.InvariantCulture),
            ["completed_steps"] = completed.ToString(CultureInfo.InvariantCulture),
        };
        if (_options.AllowChaosCrash)
        {
            data["message"] = $"process killed after step {k}; the engine resumes the run when it starts again";
            _crashDue = (state.RunId, k);
        }
        else
        {
            data["message"] = CrashRefusal!;
        }

        var seq = ++live.EventSeq;
        sql.Execute(
            "INSERT INTO run_events (run_id, seq, tenant_id, at, type, node_id, attempt, data) VALUES ($r, $s, $t, $at, $type, NULL, NULL, $d)",
            ("$r", state.RunId), ("$s", seq), ("$t", live.TenantId), ("$at", at.ToString("O")),
            ("$type", _options.AllowChaosCrash ? ChaosCrash.CrashEvent : ChaosCrash.SkippedEvent), ("$d", WardenJson.Serialize(data)));
        sql.Execute("UPDATE runs SET event_seq = $seq WHERE id = $id", ("$seq", seq), ("$id", state.RunId));
    }

    /// <summary>After the commit: the crash is durable, so the process may die now.</summary>
    private void CrashIfDue()
    {
        if (_crashDue is not { } crash)
        {
            return;
        }

        _crashDue = null;
        LogChaosCrash(_logger, crash.RunId, crash.Steps);
        _options.ChaosKill(crash.RunId);
    }

    private static int Count(EngineSql sql, string runId, string type)
    {
        using var reader = sql.Query("SELECT COUNT(*) FROM run_events WHERE run_id = $r AND type = $type", ("$r", runId), ("$type", type));
        return reader.Read() ? reader.GetInt32(0) : 0;
    }

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Chaos: killing this process after step {Steps} of run {RunId}, as the run asked (crash_after_steps)")]
    private static partial void LogChaosCrash(ILogger logger, string runId, int steps);
}
