using System.Text.Json;
using Microsoft.Extensions.Logging;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Core.Testing;
using Warden.Core.Testing.Assertions;
using Warden.Runtime.Api;
using Warden.Runtime.Engine;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Testing;

/// <summary>
/// Runs a suite: every case is an ordinary run started through <see cref="IRunEngine"/> (so it works on either
/// host), at most <c>parallel</c> at a time. Each run is followed through <see cref="IRunEngine.WaitForChangeAsync"/>
/// and read back from <see cref="IRunStore"/>; approval gates are answered as the case asks; the finished run is
/// checked by <see cref="SuiteEvaluator"/>, its judge assertions graded first by <see cref="JudgeService"/>.
/// </summary>
public sealed partial class SuiteRunner(IRunEngine engine, IRunStore runs, IGraphStore graphs, TimeProvider clock, ILogger<SuiteRunner> logger, JudgeService? judge = null)
{
    private static readonly string[] Terminal = ["completed", "failed", "stopped"];

    /// <summary>Why a server-side suite run cannot run a crash case: the process it would kill is its own.</summary>
    public const string CrashNeedsCli =
        "chaos.crash_after_steps runs only under `warden test` (without --server), which starts, kills and restarts an engine of its own; a suite run on the server cannot kill the server it runs in";

    /// <summary>How long one case may take before it is reported as an error.</summary>
    public TimeSpan CaseTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <param name="suiteRunId">Tags every case run with the suite run it belongs to (and the case's name).</param>
    public async Task<SuiteResult> RunAsync(string tenantId, SuiteDefinition suite, int parallel, string? filter, CancellationToken ct, string? suiteRunId = null)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var graphId = suite.Graph.Id ?? throw new ArgumentException("the suite names a graph file; upload the graph and name it by id", nameof(suite));
        var cases = suite.Cases.Where(c => filter is null || c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
        using var slots = new SemaphoreSlim(Math.Max(1, parallel));
        var results = await Task.WhenAll(cases.Select(async c =>
        {
            await slots.WaitAsync(ct);
            try
            {
                return await RunCaseAsync(tenantId, suite.Name, suiteRunId, c, graphId, suite.Graph.Version, ct);
            }
            finally
            {
                slots.Release();
            }
        }));
        return new SuiteResult(suite.Name, graphId, suite.Graph.Version, results);
    }

    private async Task<CaseResult> RunCaseAsync(string tenantId, string suiteName, string? suiteRunId, SuiteCase suiteCase, string graphId, long? version, CancellationToken ct)
    {
        string runId;
        try
        {
            var options = suiteCase.RunOptions is { } json ? RunOptionsJson.Read(JsonDocument.Parse(json).RootElement) : RunOptions.None;
            if (options.Chaos?.CrashAfterSteps is not null)
            {
                return SuiteEvaluator.Errored(suiteCase, null, CrashNeedsCli);
            }

            if (suiteCase.RunOptions is { } text && JsonDocument.Parse(text).RootElement.TryGetProperty("recording", out _))
            {
                throw ApiException.BadRequest($"case '{suiteCase.Name}' replays a recording file, which only `warden test` can read and upload; run this suite with `warden test`");
            }

            var tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["suite"] = suiteName, ["suite_case"] = suiteCase.Name };
            if (suiteRunId is not null)
            {
                tags["suite_run"] = suiteRunId;
            }

            runId = (await engine.StartRunAsync(new StartRunRequest(tenantId, graphId, version, suiteCase.Input, suiteCase.Seed, options with { Tags = tags }), ct)).RunId;
        }
        catch (Exception ex) when (ex is NotFoundException or BudgetExceededException or ApiException)
        {
            return SuiteEvaluator.Errored(suiteCase, null, ex.Message);
        }

        LogCaseStarted(logger, suiteName, suiteCase.Name, runId);
        var decided = new HashSet<string>(StringComparer.Ordinal);
        var deadline = clock.GetUtcNow() + CaseTimeout;
        while (true)
        {
            var run = await runs.GetAsync(tenantId, runId, ct);
            if (run is not null && Terminal.Contains(run.Status))
            {
                return await EvaluateAsync(tenantId, suiteName, suiteCase, run, await runs.ListEventsAsync(tenantId, runId, 0, 100_000, ct), null, ct);
            }

            var pending = (await runs.ListApprovalsAsync(tenantId, runId, "pending", ct)).Where(a => !decided.Contains(a.Id)).ToList();
            if (run is not null && pending.Count > 0 && suiteCase.Approve == ApprovalMode.Wait)
            {
                return await EvaluateAsync(tenantId, suiteName, suiteCase, run, await runs.ListEventsAsync(tenantId, runId, 0, 100_000, ct), "waiting", ct);
            }

            foreach (var approval in pending)
            {
                var kind = suiteCase.Approve == ApprovalMode.Approve ? SignalKind.Approve : SignalKind.Reject;
                await engine.SignalAsync(tenantId, runId, new SignalReceived(kind, $"suite:{suiteName}", approval.Id, $"answered by suite case '{suiteCase.Name}'"), ct);
                decided.Add(approval.Id);
            }

            if (clock.GetUtcNow() > deadline)
            {
                return SuiteEvaluator.Errored(suiteCase, runId, $"run {runId} did not finish within {CaseTimeout.TotalSeconds:0}s (status {run?.Status})");
            }

            await engine.WaitForChangeAsync(runId, TimeSpan.FromSeconds(1), ct);
        }
    }

    /// <summary>The graph version the run ran: contract assertions check its contracts.</summary>
    private async Task<GraphDefinition?> GraphOfAsync(string tenantId, SuiteCase suiteCase, RunRecord run, CancellationToken ct) =>
        suiteCase.Assertions.Any(a => a is ContractAssertion) && await graphs.GetVersionAsync(tenantId, run.GraphId, run.GraphVersion, ct) is { } version ? GraphParser.Parse(version.Source) : null;

    private async Task<CaseResult> EvaluateAsync(string tenantId, string suiteName, SuiteCase suiteCase, RunRecord run, IReadOnlyList<RunEventRecord> events, string? status, CancellationToken ct)
    {
        var observation = RunObservations.From(run, events, status) with { Graph = await GraphOfAsync(tenantId, suiteCase, run, ct) };
        var judged = judge is null ? null : await JudgeGrading.GradeAsync(suiteCase, observation, (j, text, token) => GradeAsync(tenantId, j, text, token), ct);
        var result = SuiteEvaluator.Evaluate(suiteCase, run.Id, observation, judged);
        var failures = result.Failures.Count();
        LogCaseFinished(logger, suiteName, suiteCase.Name, run.Id, result.Passed, failures);
        return result;
    }

    private async Task<JudgeVerdict> GradeAsync(string tenantId, JudgeAssertion assertion, string output, CancellationToken ct)
    {
        try
        {
            var grade = await judge!.GradeAsync(tenantId, new JudgeRequest(assertion.Rubric, output, assertion.Provider, assertion.Model), ct);
            return new JudgeVerdict(grade.Score, grade.Reason, grade.Provider, grade.Model);
        }
        catch (JudgeException ex)
        {
            return JudgeVerdict.Failed(ex.Message);
        }
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Debug, Message = "Suite {Suite}: case {Case} started run {RunId}")]
    private static partial void LogCaseStarted(ILogger logger, string suite, string @case, string runId);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Suite {Suite}: case {Case} (run {RunId}) passed={Passed}, {Failures} failed assertion(s)")]
    private static partial void LogCaseFinished(ILogger logger, string suite, string @case, string runId, bool passed, int failures);
}
