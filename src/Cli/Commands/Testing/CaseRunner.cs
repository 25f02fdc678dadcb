using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Warden.Cli.Client;
using Warden.Core.Graphs;
using Warden.Core.Testing;
using Warden.Core.Testing.Assertions;

namespace Warden.Cli.Commands.Testing;

/// <summary>
/// Runs one suite case as an ordinary run through the API (in-process or --server), answers its approval gates
/// as the case asks, waits for it to end and evaluates its assertions against the run and its timeline.
/// </summary>
public sealed class CaseRunner(WardenClient client, TimeSpan timeout)
{
    private static readonly string[] Terminal = ["completed", "failed", "stopped"];
    private readonly ConcurrentDictionary<(string, long), Task<GraphDefinition>> _graphs = new();

    /// <summary>Where a case's <c>recording</c> file is looked for: the suite file's folder.</summary>
    public string BaseDirectory { get; init; } = ".";

    public async Task<CaseResult> RunAsync(SuiteCase suiteCase, string suiteName, string graphId, long? version, Action<string>? started, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(suiteCase);
        string? runId = null;
        try
        {
            runId = await StartAsync(suiteCase, suiteName, graphId, version, ct);
            started?.Invoke(runId);
            return await FollowAsync(suiteCase, runId, ct);
        }
        catch (CliException ex)
        {
            return SuiteEvaluator.Errored(suiteCase, runId, ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return SuiteEvaluator.Errored(suiteCase, runId, $"lost the connection to Warden: {ex.Message}");
        }
    }

    /// <summary>Starts the case's run (its mock, chaos and tags as the start body's options); returns the run id.</summary>
    public async Task<string> StartAsync(SuiteCase suiteCase, string suiteName, string graphId, long? version, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(suiteCase);
        var options = suiteCase.RunOptions is { } json ? JsonNode.Parse(json)!.AsObject() : [];
        options["tags"] = new JsonObject { ["suite"] = suiteName, ["suite_case"] = suiteCase.Name };
        var (input, seed) = (suiteCase.Input, suiteCase.Seed);
        if (options["recording"] is JsonObject recording)
        {
            (input, seed) = await UseRecordingAsync(options, recording, input, seed, ct);
        }

        var start = await client.StartRunAsync(graphId, input, seed, ct, version, options);
        return start.GetProperty("run_id").GetString()!;
    }

    /// <summary>Uploads the case's recording file and asks for replay from it; the recording's input and seed unless the case has its own.</summary>
    private async Task<(string Input, long? Seed)> UseRecordingAsync(JsonObject options, JsonObject recording, string input, long? seed, CancellationToken ct)
    {
        var path = Path.GetFullPath(Path.Combine(BaseDirectory, recording["file"]!.GetValue<string>()));
        if (!File.Exists(path))
        {
            throw new CliException($"recording file '{path}' not found");
        }

        var uploaded = await client.UploadRecordingAsync(await File.ReadAllTextAsync(path, ct), ct);
        options.Remove("recording");
        options["replay"] = new JsonObject
        {
            ["recording_id"] = uploaded.GetProperty("recording_id").GetString(),
            ["on_miss"] = recording["on_miss"]!.GetValue<string>(),
        };
        return (
            recording["case_input"]!.GetValue<bool>() ? input : uploaded.GetProperty("input").GetRawText(),
            recording["case_seed"]!.GetValue<bool>() ? seed : uploaded.GetProperty("seed").GetInt64());
    }

    /// <summary>Follows a started run to its end (answering its approval gates as the case asks) and evaluates the case.</summary>
    public async Task<CaseResult> FollowAsync(SuiteCase suiteCase, string runId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(suiteCase);
        var pending = new HashSet<string>(StringComparer.Ordinal);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await foreach (var e in client.StreamEventsAsync(runId, limit.Token))
            {
                await OnEventAsync(suiteCase, e, pending, ct);
                if (pending.Count > 0 && suiteCase.Approve == ApprovalMode.Wait)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return SuiteEvaluator.Errored(suiteCase, runId, $"run {runId} did not finish within {timeout.TotalSeconds:0}s");
        }

        var run = await client.GetRunAsync(runId, ct);
        var events = (await client.GetEventsAsync(runId, 0, ct)).GetProperty("items").EnumerateArray().ToList();
        var waiting = pending.Count > 0 && !Terminal.Contains(run.GetProperty("status").GetString());
        var graph = suiteCase.Assertions.Any(a => a is ContractAssertion) ? await GraphOfAsync(run, ct) : null;
        var observation = RunJson.ToObservation(run, events, waiting ? "waiting" : null) with { Graph = graph };
        var judged = await JudgeGrading.GradeAsync(suiteCase, observation, GradeAsync, ct);
        return SuiteEvaluator.Evaluate(suiteCase, runId, observation, judged);
    }

    /// <summary>Judge assertions are graded by the server (POST /api/v1/evals/judge), so its providers and usage apply.</summary>
    private async Task<JudgeVerdict> GradeAsync(JudgeAssertion judge, string output, CancellationToken ct)
    {
        try
        {
            var grade = await client.JudgeAsync(judge.Rubric, output, judge.Provider, judge.Model, ct);
            return new JudgeVerdict(grade.GetProperty("score").GetDouble(), grade.GetProperty("reason").GetString() ?? string.Empty, grade.GetProperty("provider").GetString(), grade.GetProperty("model").GetString());
        }
        catch (CliException ex)
        {
            return JudgeVerdict.Failed(ex.Message);
        }
    }

    /// <summary>The stored graph version the run ran (as uploaded, contract files inlined): contract assertions read it.</summary>
    private Task<GraphDefinition> GraphOfAsync(JsonElement run, CancellationToken ct) =>
        _graphs.GetOrAdd(
            (run.GetProperty("graph_id").GetString()!, run.GetProperty("graph_version").GetInt64()),
            async key => GraphParser.Parse((await client.GetGraphVersionAsync(key.Item1, key.Item2, ct)).GetProperty("source").GetString()!));

    private async Task OnEventAsync(SuiteCase suiteCase, JsonElement e, HashSet<string> pending, CancellationToken ct)
    {
        var type = e.GetProperty("type").GetString();
        if (type == "approval.requested")
        {
            var approvalId = e.GetProperty("data").GetProperty("approval_id").GetString()!;
            if (suiteCase.Approve == ApprovalMode.Wait)
            {
                pending.Add(approvalId);
            }
            else
            {
                await client.DecideAsync(approvalId, suiteCase.Approve == ApprovalMode.Approve, $"{(suiteCase.Approve == ApprovalMode.Approve ? "approved" : "rejected")} by warden test (case '{suiteCase.Name}')", ct);
            }
        }
        else if (type is "approval.approved" or "approval.rejected" or "approval.expired")
        {
            pending.Clear();
        }
    }
}
