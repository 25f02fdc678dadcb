using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using NSubstitute;
using Warden.Core.Guardrails.Budget;
using Warden.Core.Guardrails.CircuitBreaker;
using Warden.Core.Guardrails.RateLimit;
using Warden.Core.Runs;
using Warden.Functions.Guardrails;
using Warden.Functions.Runs;
using Warden.Runtime.Storage;

namespace Warden.Functions.Tests.Support;

/// <summary>
/// Runs the real <see cref="RunGraph"/> orchestrator against a substituted <see cref="TaskOrchestrationContext"/>.
/// Every Durable task it starts is a TaskCompletionSource the test completes by hand; continuations run inline, so
/// after each completion the orchestrator has done all it can before the next assertion.
/// </summary>
public sealed class OrchestrationHarness
{
    public OrchestrationHarness(RunGraphInput input)
    {
        Context.CurrentUtcDateTime.Returns(_ => Now);
        Context.Entities.Returns(Entities);
        Context.GetInput<RunGraphInput>().Returns(Wire.RoundTrip(input));
        Context.CallActivityAsync<NodeResult>(Arg.Any<TaskName>(), Arg.Any<object?>(), Arg.Any<TaskOptions?>()).Returns(call =>
        {
            var step = new NodeStep(call.ArgAt<TaskName>(0).Name, Wire.RoundTrip(call.ArgAt<object?>(1)!, typeof(NodeInvocation)) as NodeInvocation ?? throw new InvalidOperationException(), call.ArgAt<TaskOptions?>(2));
            Steps.Add(step);
            return step.Result.Task;
        });
        Context.CallActivityAsync(Arg.Any<TaskName>(), Arg.Any<object?>(), Arg.Any<TaskOptions?>()).Returns(call =>
        {
            Projections.Add((RunProjectionUpdate)Wire.RoundTrip(call.ArgAt<object?>(1), typeof(RunProjectionUpdate))!);
            ProjectionActivities.Add(call.ArgAt<TaskName>(0).Name);
            return Task.CompletedTask;
        });
        Context.CreateTimer(Arg.Any<DateTime>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            var timer = new Timer(call.ArgAt<DateTime>(0), call.ArgAt<CancellationToken>(1));
            Timers.Add(timer);
            return timer.Fired.Task;
        });
        Context.WaitForExternalEvent<SignalReceived>(RunGraph.SignalEvent, Arg.Any<CancellationToken>()).Returns(_ =>
        {
            Signal = new TaskCompletionSource<SignalReceived>();
            return Signal.Task;
        });
        Context.When(c => c.ContinueAsNew(Arg.Any<object?>(), Arg.Any<bool>()))
            .Do(call => ContinuedWith = (RunGraphInput)Wire.RoundTrip(call.ArgAt<object?>(0), typeof(RunGraphInput))!);

        Entities.CallEntityAsync<BreakerDecision>(Arg.Any<EntityInstanceId>(), Arg.Any<string>(), Arg.Any<object?>(), Arg.Any<CallEntityOptions?>())
            .Returns(call => Task.FromResult(Breaker(call.ArgAt<EntityInstanceId>(0))));
        Entities.CallEntityAsync<RateLimitDecision>(Arg.Any<EntityInstanceId>(), Arg.Any<string>(), Arg.Any<object?>(), Arg.Any<CallEntityOptions?>())
            .Returns(call => Task.FromResult(Rate(call.ArgAt<EntityInstanceId>(0))));
        Entities.CallEntityAsync<BudgetDecision>(Arg.Any<EntityInstanceId>(), Arg.Any<string>(), Arg.Any<object?>(), Arg.Any<CallEntityOptions?>())
            .Returns(call => Task.FromResult(Budget(call.ArgAt<EntityInstanceId>(0))));
        Entities.SignalEntityAsync(Arg.Any<EntityInstanceId>(), Arg.Any<string>(), Arg.Any<object?>(), Arg.Any<SignalEntityOptions?>())
            .Returns(call =>
            {
                Signals.Add((call.ArgAt<EntityInstanceId>(0), call.ArgAt<string>(1), call.ArgAt<object?>(2)));
                return Task.CompletedTask;
            });
    }

    public TaskOrchestrationContext Context { get; } = Substitute.For<TaskOrchestrationContext>();

    public TaskOrchestrationEntityFeature Entities { get; } = Substitute.For<TaskOrchestrationEntityFeature>();

    public DateTime Now { get; set; } = new(2026, 8, 14, 9, 0, 0, DateTimeKind.Utc);

    public List<NodeStep> Steps { get; } = [];

    public List<RunProjectionUpdate> Projections { get; } = [];

    public List<string> ProjectionActivities { get; } = [];

    public List<Timer> Timers { get; } = [];

    public List<(EntityInstanceId Id, string Operation, object? Input)> Signals { get; } = [];

    public TaskCompletionSource<SignalReceived>? Signal { get; private set; }

    public RunGraphInput? ContinuedWith { get; private set; }

    public Func<EntityInstanceId, BreakerDecision> Breaker { get; set; } = _ => new BreakerDecision(true, BreakerStatus.Closed, null);

    public Func<EntityInstanceId, RateLimitDecision> Rate { get; set; } = _ => new RateLimitDecision(true, 100, 99, DateTimeOffset.MaxValue, TimeSpan.Zero);

    public Func<EntityInstanceId, BudgetDecision> Budget { get; set; } = _ => new BudgetDecision(true, null, null, null);

    /// <summary>The timeline types written to the store, in order.</summary>
    public IEnumerable<string> Timeline => Projections.SelectMany(p => p.Commands.OfType<AppendTimeline>()).SelectMany(t => t.Entries).Select(e => e.Type);

    public IEnumerable<Timer> PendingTimers => Timers.Where(t => !t.Cancellation.IsCancellationRequested && !t.Fired.Task.IsCompleted);

    public Task<RunResult> Start() => RunGraph.RunAsync(Context);

    public void Raise(SignalReceived signal) => (Signal ?? throw new InvalidOperationException("the orchestrator is not waiting for a signal")).SetResult(Wire.RoundTrip(signal));

    public sealed record NodeStep(string Activity, NodeInvocation Invocation, TaskOptions? Options)
    {
        public TaskCompletionSource<NodeResult> Result { get; } = new();

        public void Complete(RunEvent evt) => Result.SetResult(Wire.RoundTrip(new NodeResult(evt)));
    }

    public sealed record Timer(DateTime FireAt, CancellationToken Cancellation)
    {
        public TaskCompletionSource Fired { get; } = new();

        public void Fire() => Fired.SetResult();
    }
}
