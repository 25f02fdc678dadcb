using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Warden.Functions.Runs;

/// <summary>
/// The orchestrator: one instance per run, its instance id the run id. It drives the Core <c>RunDecider</c>
/// exactly as the embedded engine does (see <see cref="RunGraphLoop"/>).
/// </summary>
public static class RunGraph
{
    /// <summary>The external event that carries approvals and control signals (a <c>SignalReceived</c>).</summary>
    public const string SignalEvent = "signal";

    /// <summary>
    /// Decisions per execution before ContinueAsNew. Each decision adds about ten history events (an activity, a
    /// projection write, a timer, entity calls), so this keeps the history replayed on every step near a thousand.
    /// </summary>
    public const int DefaultDecisionsPerExecution = 100;

    [Function(nameof(RunGraph))]
    public static Task<RunResult> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<RunGraphInput>() ?? throw new InvalidOperationException($"{nameof(RunGraph)} needs a {nameof(RunGraphInput)}");
        return new RunGraphLoop(context, input).RunAsync();
    }
}
