using System.Globalization;
using System.Runtime.CompilerServices;
using DurableTask.Core;
using DurableTask.Core.Command;
using DurableTask.Core.Entities;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Warden.Functions.Runs;

namespace Warden.Functions.Tests.Replay;

/// <summary>
/// Replays a recorded orchestration history against the orchestrator code of this build, episode by episode, the way
/// a Durable worker resumes an orchestration that was in flight during a deployment: each episode's inbound events
/// (the activity results, timers, signals and entity answers that woke it) are fed to the orchestrator with everything
/// before them as its past, and the actions it takes now must equal the actions recorded then (activity names and
/// inputs, timers, entity messages, completion or continue-as-new and its payload). A change that would break
/// orchestrations in flight makes them differ, or makes DurableTask.Core's replay throw as non-deterministic.
/// </summary>
internal static class HistoryReplayer
{
    /// <summary>What the Azure Storage backend reports for its entity support; the entity messages an orchestrator sends depend on it.</summary>
    public static readonly EntityBackendProperties AzureStorageEntities = new()
    {
        EntityMessageReorderWindow = TimeSpan.FromMinutes(30),
        MaxEntityOperationBatchSize = null,
        MaxConcurrentTaskEntityWorkItems = 100,
        SupportsImplicitEntityDeletion = false,
        MaximumSignalDelayTime = TimeSpan.FromDays(6),
        UseSeparateQueueForEntityWorkItems = true,
    };

    private static readonly Dictionary<EventType, Type> EventTypes = typeof(HistoryEvent).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(HistoryEvent)) && !t.IsAbstract)
        .Select(t => (Type: t, Kind: ((HistoryEvent)RuntimeHelpers.GetUninitializedObject(t)).EventType))
        .GroupBy(p => p.Kind)
        .ToDictionary(g => g.Key, g => g.First().Type);

    /// <summary>Reads a history as the Azure Storage backend returns it (a JSON array of events tagged with EventType).</summary>
    public static IReadOnlyList<HistoryEvent> Parse(string json)
    {
        var serializer = JsonSerializer.Create(new JsonSerializerSettings { DateParseHandling = DateParseHandling.DateTime, DateTimeZoneHandling = DateTimeZoneHandling.Utc });
        return [.. JArray.Parse(json).Cast<JObject>().Select(e =>
        {
            var kind = (EventType)e.Value<int>("EventType");
            return EventTypes.TryGetValue(kind, out var type)
                ? (HistoryEvent)e.ToObject(type, serializer)!
                : throw new InvalidDataException($"a history event of type {kind} has no DurableTask.Core class");
        })];
    }

    /// <summary>Replays every episode; returns one line per difference (empty when the orchestrator decides as recorded).</summary>
    public static IReadOnlyList<string> Replay(IReadOnlyList<HistoryEvent> history, Func<ITaskOrchestrator>? orchestrator = null)
    {
        orchestrator ??= () => FuncTaskOrchestrator.Create<RunGraphInput, RunResult>((context, _) => RunGraph.RunAsync(context));
        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions { EnableEntitySupport = true }, NullLoggerFactory.Instance);
        var differences = new List<string>();
        var starts = history.Select((e, i) => (e, i)).Where(p => p.e is OrchestratorStartedEvent).Select(p => p.i).ToList();
        for (var k = 0; k < starts.Count; k++)
        {
            var end = k + 1 < starts.Count ? starts[k + 1] : history.Count;
            var episode = history.Skip(starts[k]).Take(end - starts[k]).ToList();
            var expected = episode.Where(IsAction).Select(Describe).ToList();
            if (expected.Count == 0)
            {
                continue; // an episode that only received events (e.g. a signal the orchestrator was not yet waiting for)
            }

            var state = new OrchestrationRuntimeState([.. history.Take(starts[k])]);
            foreach (var inbound in episode.Where(e => !IsAction(e) && e is not OrchestratorCompletedEvent))
            {
                state.AddEvent(inbound);
            }

            OrchestratorExecutionResult result;
            try
            {
                var orchestration = shims.CreateOrchestration(nameof(RunGraph), orchestrator(), parent: null);
                result = new TaskOrchestrationExecutor(state, orchestration, BehaviorOnContinueAsNew.Carryover, TaskOrchestrationEntityParameters.FromEntityBackendProperties(AzureStorageEntities), ErrorPropagationMode.SerializeExceptions).Execute();
            }
            catch (Exception ex) when (ex is DurableTask.Core.Exceptions.NonDeterministicOrchestrationException or DurableTask.Core.Exceptions.OrchestrationFailureException or InvalidOperationException)
            {
                differences.Add($"episode {k + 1}: replay threw {ex.GetType().Name}: {ex.Message}");
                continue;
            }

            var actual = result.Actions.Select(Describe).ToList();
            for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
            {
                var want = i < expected.Count ? expected[i] : "(nothing)";
                var got = i < actual.Count ? actual[i] : "(nothing)";

                // The Azure Storage backend keeps no activity inputs in history (it needs none to replay), so where the
                // recording has none only the activity's name and place are compared; the entity messages, timers and the
                // result it completes with still carry the decisions' data.
                if (want.StartsWith("activity ", StringComparison.Ordinal) && want.Split(' ').Length == 2 && got.StartsWith(want + " ", StringComparison.Ordinal))
                {
                    got = want;
                }

                if (want != got)
                {
                    differences.Add($"episode {k + 1}, action {i + 1}: recorded {want}, now {got}");
                }
            }
        }

        return differences;
    }

    private static bool IsAction(HistoryEvent e) =>
        e is TaskScheduledEvent or TimerCreatedEvent or EventSentEvent or ExecutionCompletedEvent or ContinueAsNewEvent or SubOrchestrationInstanceCreatedEvent;

    private static string Describe(HistoryEvent e) => e switch
    {
        TaskScheduledEvent t => t.Input is null ? $"activity {t.Name}" : $"activity {t.Name} {t.Input}",
        TimerCreatedEvent t => $"timer {t.FireAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)}",
        EventSentEvent s => $"send {s.InstanceId} {s.Name} {Normalize(s.Input)}",
        ContinueAsNewEvent c => $"continue-as-new {c.Result}",
        ExecutionCompletedEvent c => $"complete {c.OrchestrationStatus} {c.Result}",
        _ => e.EventType.ToString(),
    };

    private static string Describe(OrchestratorAction a) => a switch
    {
        ScheduleTaskOrchestratorAction t => $"activity {t.Name} {t.Input}",
        CreateTimerOrchestratorAction t => $"timer {t.FireAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)}",
        SendEventOrchestratorAction s => $"send {s.Instance?.InstanceId} {s.EventName} {Normalize(s.EventData)}",
        OrchestrationCompleteOrchestratorAction { OrchestrationStatus: OrchestrationStatus.ContinuedAsNew } c => $"continue-as-new {c.Result}",
        OrchestrationCompleteOrchestratorAction c => $"complete {c.OrchestrationStatus} {c.Result}",
        _ => a.OrchestratorActionType.ToString(),
    };

    /// <summary>Entity messages carry a creation timestamp and trace context that are not decisions; drop them before comparing.</summary>
    private static string? Normalize(string? message)
    {
        if (message is null || !message.TrimStart().StartsWith('{'))
        {
            return message;
        }

        var json = JObject.Parse(message);
        foreach (var volatileField in new[] { "createdTime", "parentTraceContext", "requestTime", "createTrace" })
        {
            json.Remove(volatileField);
        }

        return json.ToString(Formatting.None);
    }
}
