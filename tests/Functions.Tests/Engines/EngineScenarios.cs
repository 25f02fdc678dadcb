using System.Globalization;
using Shouldly;
using Warden.Cli.Tests.EndToEnd;
using Warden.Core.Guardrails.Budget;
using Warden.Core.Runs;
using Warden.Core.Runs.Chaos;
using Microsoft.Extensions.DependencyInjection;
using Warden.Runtime.Engine;
using Warden.Runtime.Replay;
using Xunit;

namespace Warden.Functions.Tests.Engines;

/// <summary>
/// The engine scenarios, written once and run against both <see cref="IRunEngine"/> implementations: the embedded
/// engine on SQLite and the Durable engine on a real task hub. Both feed the same decider, so both must pass every
/// case with the same outcome. Durations are short and real: Durable timers fire on the backend's clock.
/// </summary>
public abstract class EngineScenarios
{
    private static readonly string[] Abc = ["a", "b", "c"];

    private static Dictionary<string, string> Data(Warden.Runtime.Storage.RunEventRecord e) => System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(e.Data!)!;

    /// <summary>
    /// How much earlier than due the engine's durable timers may be seen to fire, measured between timeline times. The
    /// embedded engine's timers are rows it fires itself; a sub-second timer on the Azure Storage backend over Azurite has
    /// been seen here to end up to ~60 ms before its due time as the orchestration's clock reads it.
    /// </summary>
    protected virtual TimeSpan TimerSlack => TimeSpan.Zero;

    /// <summary>Starts the engine under test with settings named as their environment variables.</summary>
    protected abstract Task<IEngineHost> StartHostAsync(IReadOnlyDictionary<string, string?>? settings = null);

    [Fact]
    public async Task Sequential_ThreeNodes_CompletesEachOnceInOrder()
    {
        await using var host = await StartHostAsync();

        var run = await host.RunToEndAsync(Scenarios.Sequential);

        run.Status.ShouldBe("completed");
        var completed = (await host.TimelineAsync(run.Id)).Where(e => e.Type == "node.completed").Select(e => e.NodeId).ToList();
        completed.ShouldBe(Abc);
        run.Output.ShouldNotBeNullOrWhiteSpace();
        run.InputTokens.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Chaos_ProviderErrorOnEachFirstCall_RouterRetriesWithinTheAttemptAndTheRunCompletes()
    {
        // Arrange: a seed whose chaos fails every node's first call and lets its second through.
        var chaos = new ChaosSettings(ProviderErrorRate: 0.5);
        var seed = Enumerable.Range(1, 100_000).Select(i => (long)i).First(s => Abc.All(n =>
            ChaosPlan.ForProviderCall(chaos, s, n, 1, 1, 1) == ChaosFault.ProviderError && ChaosPlan.ForProviderCall(chaos, s, n, 1, 1, 2) == ChaosFault.None));
        await using var host = await StartHostAsync();

        // Act: the options travel in the run's state (on Durable, through its serializer) into every invocation.
        var run = await host.WaitForEndAsync(await host.StartAsync(Scenarios.Sequential, seed: seed, options: new RunOptions(Chaos: chaos)));

        // Assert
        run.Status.ShouldBe("completed");
        var completed = (await host.TimelineAsync(run.Id)).Where(e => e.Type == "node.completed").ToList();
        completed.Select(e => e.NodeId).ShouldBe(Abc);
        completed.ShouldAllBe(e => e.Attempt == 1);
        completed.Select(e => System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(e.Data!)!["failed_calls"]).ShouldAllBe(n => n == "1");
    }

    [Fact]
    public async Task MockOverride_FixedResponseForOneNode_OnlyThatNodeAnswersIt()
    {
        // Arrange
        await using var host = await StartHostAsync();
        var options = new RunOptions(Mocks: new Dictionary<string, Core.Graphs.MockSettings> { ["b"] = new(0, 0, 0, "the fixed answer") });

        // Act
        var run = await host.WaitForEndAsync(await host.StartAsync(Scenarios.Sequential, options: options));

        // Assert
        run.Status.ShouldBe("completed");
        var state = Core.Serialization.WardenJson.Deserialize<RunState>(run.State);
        state.Nodes["b"].Output.ShouldBe("the fixed answer");
        state.Nodes["a"].Output.ShouldNotBe("the fixed answer");
    }

    [Fact]
    public async Task Replay_RecordedRun_ExactIsIdenticalAndCandidateIsAnsweredFromTheRecording()
    {
        // Arrange
        await using var host = await StartHostAsync();
        var source = await host.RunToEndAsync(Scenarios.Diamond);
        var recorder = host.Services.GetRequiredService<RunRecorder>();

        // Act
        var report = await recorder.ReplayExactAsync(EngineHostExtensions.Tenant, source.Id, CancellationToken.None);
        var recording = await recorder.RecordAsync(EngineHostExtensions.Tenant, source.Id, CancellationToken.None);
        var (recordingId, _) = await host.Services.GetRequiredService<IRecordingStore>().SaveAsync(EngineHostExtensions.Tenant, recording!);
        var options = new RunOptions(Replay: new ReplaySettings(recordingId, ReplayMissPolicy.Fail));
        var replayId = (await host.Engine.StartRunAsync(new StartRunRequest(EngineHostExtensions.Tenant, recording!.GraphId, null, recording.Input, recording.Seed, options))).RunId;
        var replayed = await host.WaitForEndAsync(replayId);

        // Assert
        report!.Identical.ShouldBeTrue(report.FirstDivergence?.ToString());
        recording.Calls.Select(c => c.Node).Order().ShouldBe(["a", "b", "c", "d"]);
        replayed.Status.ShouldBe("completed");
        replayed.Output.ShouldBe(source.Output);
        (replayed.InputTokens + replayed.OutputTokens).ShouldBe(0);
        var providers = (await host.TimelineAsync(replayId)).Where(e => e.Type == "node.completed").Select(e => System.Text.Json.JsonDocument.Parse(e.Data!).RootElement.GetProperty("provider").GetString());
        providers.ShouldAllBe(p => p == ReplaySource.ProviderName);
    }

    [Fact]
    public async Task Diamond_TwoBranches_JoinRunsOnceAfterBoth()
    {
        await using var host = await StartHostAsync();

        var run = await host.RunToEndAsync(Scenarios.Diamond);

        run.Status.ShouldBe("completed");
        var timeline = await host.TimelineAsync(run.Id);
        var joinStart = timeline.Single(e => e.Type == "node.started" && e.NodeId == "d").Seq;
        timeline.Single(e => e.Type == "node.completed" && e.NodeId == "b").Seq.ShouldBeLessThan(joinStart);
        timeline.Single(e => e.Type == "node.completed" && e.NodeId == "c").Seq.ShouldBeLessThan(joinStart);
        timeline.Count(e => e.Type == "node.completed" && e.NodeId == "d").ShouldBe(1);
    }

    [Fact]
    public async Task ConditionalEdge_FailureRouted_RecoverRunsAndSuccessPathIsSkipped()
    {
        await using var host = await StartHostAsync();

        var run = await host.RunToEndAsync(Scenarios.FailureRoute);

        run.Status.ShouldBe("completed");
        var steps = await host.StepsAsync(run.Id);
        steps.ShouldContain("node.failed:a:1");
        steps.ShouldContain("node.completed:recover:1");
        steps.ShouldContain("node.skipped:b:");
        steps.ShouldNotContain(s => s.StartsWith("node.started:b:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BoundedLoop_StepKeepsFailing_LoopsOnceThenFails()
    {
        await using var host = await StartHostAsync();

        var run = await host.RunToEndAsync(Scenarios.FailureLoop);

        run.Status.ShouldBe("failed");
        var timeline = await host.TimelineAsync(run.Id);
        timeline.Count(e => e.Type == "node.completed" && e.NodeId == "plan").ShouldBe(2);
        timeline.Count(e => e.Type == "node.failed" && e.NodeId == "code").ShouldBe(2);
        timeline.ShouldNotContain(e => e.Type == "node.started" && e.NodeId == "finish");
    }

    [Fact]
    public async Task Retry_FirstTwoAttemptsFail_ThirdSucceedsAfterBackoff()
    {
        await using var host = await StartHostAsync();

        var run = await host.RunToEndAsync(Scenarios.Flaky(failFirst: 2, maxAttempts: 3));

        run.Status.ShouldBe("completed");
        var timeline = await host.TimelineAsync(run.Id);
        var steps = timeline.Where(e => e.NodeId == "a").Select(e => $"{e.Type}:{e.Attempt}").ToList();
        steps.ShouldBe(["node.started:1", "node.failed:1", "node.started:2", "node.failed:2", "node.started:3", "node.completed:3"]);

        // The decider's backoff is a durable timer on both engines: the retry starts no earlier than its delay allows.
        var failed = Time(timeline.First(e => e.Type == "node.failed" && e.NodeId == "a"));
        var retried = Time(timeline.First(e => e.Type == "node.started" && e.NodeId == "a" && e.Attempt == 2));
        var due = TimeSpan.FromMilliseconds(long.Parse(Data(timeline.First(e => e.Type == "node.failed" && e.NodeId == "a"))["retry_in_ms"], System.Globalization.CultureInfo.InvariantCulture));
        due.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(90)); // 200ms initial backoff, half of it jitter
        (retried - failed).ShouldBeGreaterThanOrEqualTo(due - TimerSlack);
    }

    [Fact]
    public async Task Retry_EveryAttemptFails_RunFailsAfterMaxAttempts()
    {
        await using var host = await StartHostAsync();

        var run = await host.RunToEndAsync(Scenarios.Flaky(failFirst: 10, maxAttempts: 3));

        run.Status.ShouldBe("failed");
        (await host.TimelineAsync(run.Id)).Count(e => e.Type == "node.failed" && e.NodeId == "a").ShouldBe(3);
        (await host.StepsAsync(run.Id)).ShouldNotContain(s => s.StartsWith("node.started:b:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Contract_FirstReplyViolates_AttemptFailsContractViolatedAndTheRetryCompletes()
    {
        await using var host = await StartHostAsync();

        var run = await host.RunToEndAsync(Scenarios.Contracted(badReplies: 1, maxAttempts: 2));

        run.Status.ShouldBe("completed");
        var timeline = await host.TimelineAsync(run.Id);
        timeline.Where(e => e.NodeId == "a").Select(e => $"{e.Type}:{e.Attempt}").ShouldBe(["node.started:1", "node.failed:1", "node.started:2", "node.completed:2"]);
        var failed = timeline.Single(e => e.Type == "node.failed");
        var data = failed.Data.ShouldNotBeNull();
        data.ShouldContain("\"error_code\":\"CONTRACT_VIOLATED\"");
        data.ShouldContain("output_schema");
        data.ShouldContain("forbidden[0]");
        run.ErrorCode.ShouldBeNull();
    }

    [Fact]
    public async Task Contract_EveryReplyViolates_RunFailsWithContractViolated()
    {
        await using var host = await StartHostAsync();

        var run = await host.RunToEndAsync(Scenarios.Contracted(badReplies: 2, maxAttempts: 2));

        run.Status.ShouldBe("failed");
        run.ErrorCode.ShouldBe("CONTRACT_VIOLATED");
        run.Error.ShouldNotBeNull().ShouldContain("contract violated");
        (await host.TimelineAsync(run.Id)).Count(e => e.Type == "node.failed" && e.NodeId == "a").ShouldBe(2);
        (await host.StepsAsync(run.Id)).ShouldNotContain(s => s.StartsWith("node.started:b:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Timeout_StepSlowerThanItsTimeout_TimesOutAndFailsTheRun()
    {
        await using var host = await StartHostAsync();

        var run = await host.RunToEndAsync(Scenarios.Slow(latencyMs: 4000, timeout: "300ms"));

        run.Status.ShouldBe("failed");
        var timeline = await host.TimelineAsync(run.Id);
        timeline.Single(e => e.Type == "node.failed" && e.NodeId == "a").Data!.ShouldContain("timed out");
        timeline.ShouldNotContain(e => e.Type == "node.completed");

        // The run ended on the timeout, not when the slow call would have returned.
        (DateTimeOffset.Parse(run.EndedAt!, CultureInfo.InvariantCulture) - DateTimeOffset.Parse(run.CreatedAt, CultureInfo.InvariantCulture)).ShouldBeLessThan(TimeSpan.FromSeconds(3.5));
    }

    [Fact]
    public async Task Approval_Approved_RunContinuesAndSecondDecisionIsRejected()
    {
        await using var host = await StartHostAsync();
        var runId = await host.StartAsync(Scenarios.Gate(deadline: "1h", onTimeout: "fail"));

        var approval = await PendingApprovalAsync(host, runId);
        var decided = await host.Engine.SignalAsync(EngineHostExtensions.Tenant, runId, new SignalReceived(SignalKind.Approve, "reviewer:ana", approval, "looks right"));
        var run = await host.WaitForEndAsync(runId);
        var again = await host.Engine.SignalAsync(EngineHostExtensions.Tenant, runId, new SignalReceived(SignalKind.Reject, "reviewer:bo", approval));

        decided.Status.ShouldBe(SignalStatus.Applied);
        run.Status.ShouldBe("completed");
        (await host.StepsAsync(run.Id)).ShouldContain("node.completed:act:1");
        again.Status.ShouldBe(SignalStatus.Rejected);
        (await host.Runs.GetApprovalAsync(EngineHostExtensions.Tenant, approval))!.Status.ShouldBe("approved");
    }

    [Fact]
    public async Task Approval_Rejected_RunFails()
    {
        await using var host = await StartHostAsync();
        var runId = await host.StartAsync(Scenarios.Gate(deadline: "1h", onTimeout: "fail"));

        var approval = await PendingApprovalAsync(host, runId);
        await host.Engine.SignalAsync(EngineHostExtensions.Tenant, runId, new SignalReceived(SignalKind.Reject, "reviewer:ana", approval, "no"));
        var run = await host.WaitForEndAsync(runId);

        run.Status.ShouldBe("failed");
        (await host.StepsAsync(run.Id)).ShouldNotContain(s => s.StartsWith("node.started:act:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Approval_DeadlinePassesWithApproveOnTimeout_ApprovedByItsTimerAndContinues()
    {
        await using var host = await StartHostAsync();

        var run = await host.RunToEndAsync(Scenarios.Gate(deadline: "1s", onTimeout: "approve"));

        run.Status.ShouldBe("completed");
        var timeline = await host.TimelineAsync(run.Id);
        timeline.Single(e => e.Type == "approval.approved" && e.NodeId == "gate").Data!.ShouldContain("deadline");
        timeline.ShouldContain(e => e.Type == "node.completed" && e.NodeId == "act");
    }

    [Fact]
    public async Task PauseResume_PausedWhileAStepRuns_NextStepWaitsUntilResumed()
    {
        await using var host = await StartHostAsync();
        var runId = await host.StartAsync(Scenarios.SlowFirst(latencyMs: 1500));
        await host.WaitForAsync(runId, _ => true);
        await WaitForStepAsync(host, runId, "node.started:a:1");

        var paused = await host.Engine.SignalAsync(EngineHostExtensions.Tenant, runId, new SignalReceived(SignalKind.Pause, "operator:ola"));
        await host.WaitForAsync(runId, r => r.Status == "paused");
        await WaitForStepAsync(host, runId, "node.completed:a:1");
        var whilePaused = await host.StepsAsync(runId);
        var resumed = await host.Engine.SignalAsync(EngineHostExtensions.Tenant, runId, new SignalReceived(SignalKind.Resume, "operator:ola"));
        var run = await host.WaitForEndAsync(runId);

        paused.Status.ShouldBe(SignalStatus.Applied);
        resumed.Status.ShouldBe(SignalStatus.Applied);
        whilePaused.ShouldNotContain(s => s.StartsWith("node.started:b:", StringComparison.Ordinal));
        run.Status.ShouldBe("completed");
        var steps = (await host.StepsAsync(runId)).ToList();
        steps.IndexOf("run.resumed").ShouldBeLessThan(steps.IndexOf("node.started:b:1"));
    }

    [Fact]
    public async Task Stop_WhileAStepRuns_RunEndsStoppedAndLaterStepsNeverStart()
    {
        await using var host = await StartHostAsync();
        var runId = await host.StartAsync(Scenarios.SlowFirst(latencyMs: 1500));
        await WaitForStepAsync(host, runId, "node.started:a:1");

        var stopped = await host.Engine.SignalAsync(EngineHostExtensions.Tenant, runId, new SignalReceived(SignalKind.Stop, "operator:ola", Comment: "wrong input"));
        var run = await host.WaitForEndAsync(runId);
        var control = await host.Engine.SignalAsync(EngineHostExtensions.Tenant, runId, new SignalReceived(SignalKind.Resume, "operator:ola"));

        stopped.Status.ShouldBe(SignalStatus.Applied);
        run.Status.ShouldBe("stopped");
        (await host.StepsAsync(runId)).ShouldNotContain(s => s.StartsWith("node.started:b:", StringComparison.Ordinal));
        control.Status.ShouldBe(SignalStatus.Rejected);
    }

    [Fact]
    public async Task Budget_RunBudgetTooSmall_RunKilledWithBudgetExceeded()
    {
        await using var host = await StartHostAsync();

        var run = await host.RunToEndAsync(Scenarios.Pricey(maxCostUsd: "0.00095"));

        run.Status.ShouldBe("failed");
        run.ErrorCode.ShouldBe(BudgetLedger.ExceededCode);
        run.Error!.ShouldContain("budget:run:" + run.Id);
        decimal.Parse(run.CostUsd, CultureInfo.InvariantCulture).ShouldBeLessThanOrEqualTo(0.00095m);
        (await host.TimelineAsync(run.Id)).ShouldContain(e => e.Type == "budget.exceeded");
    }

    [Fact]
    public async Task Budget_TenantBudgetSpent_NewRunsRefusedUntilRaised()
    {
        await using var host = await StartHostAsync();
        await host.RunToEndAsync(Scenarios.Sequential);

        await host.Guardrails.SetBudgetAsync(EngineHostExtensions.Tenant, null, new BudgetLimit(0.0000001m, null));
        var refused = await RetryUntilAsync(async () =>
        {
            try
            {
                await host.StartAsync(Scenarios.Sequential);
                return null;
            }
            catch (BudgetExceededException ex)
            {
                return ex;
            }
        });
        await host.Guardrails.SetBudgetAsync(EngineHostExtensions.Tenant, null, new BudgetLimit(100m, null));
        var allowed = await RetryUntilAsync(async () =>
        {
            try
            {
                return await host.WaitForEndAsync(await host.StartAsync(Scenarios.Sequential));
            }
            catch (BudgetExceededException)
            {
                return null;
            }
        });

        refused.Message.ShouldContain("monthly budget is spent");
        allowed.Status.ShouldBe("completed");
    }

    [Fact]
    public async Task ProviderFallback_PreferredProviderFails_StepCompletesOnTheNextProvider()
    {
        await using var openAi = await FakeOpenAi.StartAsync();
        await using var host = await StartHostAsync(new Dictionary<string, string?>
        {
            ["OPENAI_API_KEY"] = "sk-test-not-a-real-key",
            ["OPENAI_BASE_URL"] = openAi.BaseUrl,
        });

        var run = await host.RunToEndAsync(Scenarios.Fallback);

        run.Status.ShouldBe("completed");
        openAi.Requests.ShouldBeGreaterThan(0);
        var completed = (await host.TimelineAsync(run.Id)).Single(e => e.Type == "node.completed" && e.NodeId == "a");
        completed.Data!.ShouldContain("mock");
    }

    [Fact]
    public async Task LongRun_FortySteps_EachStepOnceAndTheTimelineHasNoGaps()
    {
        await using var host = await StartHostAsync();

        var run = await host.RunToEndAsync(Scenarios.Chain(40), seed: 11);

        run.Status.ShouldBe("completed");
        var timeline = await host.TimelineAsync(run.Id);
        timeline.Where(e => e.Type == "node.completed").Select(e => e.NodeId).ShouldBe(Enumerable.Range(1, 40).Select(i => $"n{i}"));
        timeline.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, timeline.Count).Select(i => (long)i));
    }

    private static DateTimeOffset Time(Runtime.Storage.RunEventRecord e) => DateTimeOffset.Parse(e.At, CultureInfo.InvariantCulture);

    private static async Task<string> PendingApprovalAsync(IEngineHost host, string runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await host.Runs.ListApprovalsAsync(EngineHostExtensions.Tenant, runId, "pending") is [var approval, ..])
            {
                return approval.Id;
            }

            await host.Engine.WaitForChangeAsync(runId, TimeSpan.FromMilliseconds(200));
            await Task.Delay(20);
        }

        throw new TimeoutException($"run {runId} requested no approval");
    }

    private static async Task WaitForStepAsync(IEngineHost host, string runId, string step)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if ((await host.StepsAsync(runId)).Contains(step))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"run {runId} never logged {step}");
    }

    /// <summary>A budget change reaches a Durable entity as a signal, applied shortly after it is sent: look again until it shows.</summary>
    private static async Task<T> RetryUntilAsync<T>(Func<Task<T?>> attempt)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await attempt() is { } result)
            {
                return result;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the expected outcome never showed");
            }

            await Task.Delay(200);
        }
    }
}
