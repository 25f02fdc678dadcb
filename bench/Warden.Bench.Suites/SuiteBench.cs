using System.Diagnostics;
using Warden.Core.Testing;

namespace Warden.Bench.Suites;

public sealed record BenchResult(string Workload, int Cases, int Parallel, TimeSpan DirectWall, TimeSpan SuiteWall, IReadOnlyDictionary<string, int> DirectStatuses, int CasesPassed, int Assertions)
{
    public double RunsPerSecond => Cases / DirectWall.TotalSeconds;

    public double CasesPerSecond => Cases / SuiteWall.TotalSeconds;

    /// <summary>Suite throughput over plain-run throughput: 1.0 means evaluating costs nothing.</summary>
    public double Ratio => CasesPerSecond / RunsPerSecond;
}

/// <summary>
/// One workload on a fresh data directory: the same N runs twice, first as plain runs (started, approved when asked,
/// followed to their end, P at a time), then as the N cases of a suite through <c>SuiteRunner</c> with parallel P.
/// </summary>
public static class SuiteBench
{
    public static async Task<BenchResult> RunAsync(Workload workload, int cases, int parallel, string dataDirectory)
    {
        await using var host = await SuiteHost.StartAsync(dataDirectory);
        var graphId = await host.UploadAsync(workload.GraphYaml);
        var suite = SuiteParser.Parse(workload.Suite(cases));

        // Warm-up: JIT, connection pools and the engine's caches, both ways.
        await DirectAsync(host, workload, suite, graphId, Math.Min(cases, parallel), parallel);
        await host.Runner.RunAsync(SuiteHost.Tenant, suite with { Cases = suite.Cases.Take(Math.Min(cases, parallel)).ToList() }, parallel, null, CancellationToken.None);

        var clock = Stopwatch.StartNew();
        var statuses = await DirectAsync(host, workload, suite, graphId, cases, parallel);
        var directWall = clock.Elapsed;

        clock.Restart();
        var result = await host.Runner.RunAsync(SuiteHost.Tenant, suite, parallel, null, CancellationToken.None);
        var suiteWall = clock.Elapsed;

        if (result.Cases.Count != cases || result.Cases.FirstOrDefault(c => c.Error is not null) is { } broken)
        {
            throw new InvalidOperationException($"{workload.Name}: a case could not run: {result.Cases.FirstOrDefault(c => c.Error is not null)?.Error}");
        }

        if (statuses.Values.Sum() != cases)
        {
            throw new InvalidOperationException($"{workload.Name}: {statuses.Values.Sum()} of {cases} plain runs ended");
        }

        return new BenchResult(workload.Name, cases, parallel, directWall, suiteWall, statuses, result.PassedCases, result.AssertionCount);
    }

    /// <summary>The cases' runs without the suite: same inputs and seeds, same concurrency.</summary>
    private static async Task<Dictionary<string, int>> DirectAsync(SuiteHost host, Workload workload, SuiteDefinition suite, string graphId, int count, int parallel)
    {
        var next = -1;
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await Task.WhenAll(Enumerable.Range(0, Math.Min(count, parallel)).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < count)
            {
                var c = suite.Cases[n];
                var status = await host.RunToEndAsync(graphId, c.Input, c.Seed ?? 0, workload.Approve);
                statuses.AddOrUpdate(status, 1, (_, v) => v + 1);
            }
        }));
        return new Dictionary<string, int>(statuses, StringComparer.Ordinal);
    }
}
