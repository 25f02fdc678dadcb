using System.Text.Json;
using System.Text.Json.Nodes;
using Warden.Cli.Client;
using Warden.Core.Testing;
using Warden.Core.Testing.Assertions;

namespace Warden.Cli.Commands.Testing;

/// <summary>
/// A case with <c>chaos: {crash_after_steps: k}</c>: its run goes to a `warden serve` child of its own, which the run
/// kills (a real SIGKILL) after its k-th completed step. The child is started again on the same data directory, the
/// run is followed to its end, and the case gets the generated <c>resumed</c> assertion on top of its own.
/// </summary>
public sealed class CrashCaseRunner(TimeSpan timeout, Action<string> progress)
{
    private static readonly string[] Terminal = ["completed", "failed", "stopped"];

    /// <summary>The crash_after_steps a case asks for, or null.</summary>
    public static int? CrashAfterSteps(SuiteCase suiteCase)
    {
        ArgumentNullException.ThrowIfNull(suiteCase);
        return suiteCase.RunOptions is { } json && JsonNode.Parse(json)?["chaos"]?["crash_after_steps"] is { } k ? (int)k.GetValue<double>() : null;
    }

    public async Task<CaseResult> RunAsync(SuiteCase suiteCase, string suiteName, string graphYaml, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(suiteCase);
        var k = CrashAfterSteps(suiteCase) ?? throw new ArgumentException("the case asks for no crash", nameof(suiteCase));
        var dataDirectory = Path.Combine(Path.GetTempPath(), "warden-crash-" + Guid.NewGuid().ToString("N")[..12]);
        var key = "wk_crash_" + Guid.NewGuid().ToString("N");
        var port = ChildWarden.FreePort();
        string? runId = null;
        try
        {
            string kill;
            using (var first = await ChildWarden.StartAsync(dataDirectory, port, key, ct))
            {
                var graph = await first.Client.UploadGraphAsync(graphYaml, ct);
                runId = await new CaseRunner(first.Client, timeout).StartAsync(
                    suiteCase, suiteName, graph.GetProperty("graph_id").GetString()!, graph.GetProperty("version").GetInt64(), ct);
                progress($"{suiteCase.Name} started run {runId} on a `warden serve` of its own (chaos: kill it after step {k})");
                if (await WaitForKillAsync(first, runId, ct) is { } early)
                {
                    return SuiteEvaluator.Errored(suiteCase, runId, early);
                }

                if (!first.WasKilled)
                {
                    return SuiteEvaluator.Errored(suiteCase, runId, $"the engine {first.DescribeExit()} instead of being killed after step {k}:\n{Tail(first.Output)}");
                }

                kill = $"process {first.DescribeExit()}";
                progress($"{suiteCase.Name}: {kill} after step {k}, restarting");
            }

            using var second = await ChildWarden.StartAsync(dataDirectory, port, key, ct);
            progress($"{suiteCase.Name}: restarted, resuming run {runId}");
            var result = await new CaseRunner(second.Client, timeout).FollowAsync(suiteCase, runId, ct);
            if (result.Error is not null)
            {
                return result;
            }

            var run = await second.Client.GetRunAsync(runId, ct);
            var events = (await second.Client.GetEventsAsync(runId, 0, ct)).GetProperty("items").EnumerateArray().ToList();
            var now = DateTimeOffset.UtcNow;
            var usage = await second.Client.GetUsageAsync("graph", now.AddDays(-1), now.AddDays(1), ct);
            var resumed = ResumedCheck.Evaluate(RunJson.ToObservation(run, events), Evidence(k, kill, run, usage));
            if (resumed.Passed)
            {
                progress($"{suiteCase.Name}: {kill} after step {k}, restarted, resumed");
            }

            return result with { Assertions = [.. result.Assertions, resumed] };
        }
        catch (CliException ex)
        {
            return SuiteEvaluator.Errored(suiteCase, runId, ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return SuiteEvaluator.Errored(suiteCase, runId, $"lost the connection to the crash case's `warden serve`: {ex.Message}");
        }
        finally
        {
            TryDelete(dataDirectory);
        }
    }

    /// <summary>Waits for the child to die; returns why not when the run ended (or time ran out) first.</summary>
    private async Task<string?> WaitForKillAsync(ChildWarden child, string runId, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var exited = child.WaitForExitAsync(limit.Token);
        while (!child.HasExited)
        {
            try
            {
                var status = (await child.Client.GetRunAsync(runId, limit.Token)).GetProperty("status").GetString();
                if (Terminal.Contains(status) && !child.HasExited)
                {
                    // The crash commits with the k-th step: give a dying process its moment before calling it alive.
                    await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(2), limit.Token));
                    if (!child.HasExited)
                    {
                        return $"run {runId} ended {status} before chaos killed the engine: does the graph have that many steps?";
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or CliException)
            {
                // The process is going down (the client reports that as "cannot reach Warden"): the loop sees it exit.
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return $"the engine was not killed within {timeout.TotalSeconds:0}s";
            }

            await Task.WhenAny(exited, Task.Delay(100, ct));
        }

        return null;
    }

    private static ResumeEvidence Evidence(int k, string kill, JsonElement run, JsonElement usage)
    {
        long stepTokens = 0;
        decimal stepCost = 0;
        foreach (var node in run.GetProperty("nodes").EnumerateArray())
        {
            var u = node.GetProperty("usage");
            stepTokens += u.GetProperty("input_tokens").GetInt64() + u.GetProperty("output_tokens").GetInt64();
            stepCost += u.GetProperty("cost_usd").GetDecimal();
        }

        long rowTokens = 0;
        decimal rowCost = 0;
        foreach (var row in usage.GetProperty("items").EnumerateArray())
        {
            rowTokens += row.GetProperty("input_tokens").GetInt64() + row.GetProperty("output_tokens").GetInt64();
            rowCost += row.GetProperty("cost_usd").GetDecimal();
        }

        return new ResumeEvidence(k, kill, stepTokens, stepCost, rowTokens, rowCost);
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
