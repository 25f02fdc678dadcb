using System.Diagnostics;
using Warden.Runtime.Storage;

namespace Warden.Bench;

/// <summary>
/// Engine throughput on a fresh data directory: N runs of the 5-node pipeline started at once, timed until
/// every hop (node dispatched, executed, result committed) is in. Then the raw SQLite baseline on the same disk.
/// </summary>
public static class ThroughputBench
{
    private const int HopsPerRun = 5;
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(60);

    public static async Task<ThroughputResult> RunAsync(BenchOptions options, SqliteSynchronous synchronous, string root)
    {
        var latencies = new Latencies();
        EngineResult engine;
        await using (var warden = await WardenInstance.StartAsync(Path.Combine(root, "engine"), synchronous, options.Workers, latencies.Record))
        {
            await warden.UploadAsync(BenchGraphs.Pipeline);
            if (options.Warmup > 0)
            {
                await warden.StartRunsAsync(BenchGraphs.PipelineId, options.Warmup, options.Warmup);
                await WaitForHopsAsync(warden, (long)options.Warmup * HopsPerRun);
            }

            var hops0 = warden.Engine.Hops;
            var events0 = warden.Engine.Events;
            var target = hops0 + ((long)options.Runs * HopsPerRun);
            latencies.Restart();
            var cpu0 = ProcessCpu();
            var writer0 = WriterThreadCpu.Read();
            var clock = Stopwatch.StartNew();
            await warden.StartRunsAsync(BenchGraphs.PipelineId, options.Runs, options.Runs);
            var startsDone = clock.Elapsed;
            await WaitForHopsAsync(warden, target);
            var wall = clock.Elapsed;
            var cpu = ProcessCpu() - cpu0;
            var writer = WriterThreadCpu.Read() - writer0;
            var hops = warden.Engine.Hops - hops0;
            var events = warden.Engine.Events - events0;
            var latency = latencies.Summarize();

            // Every run of the graph, warm-up included, must have completed: anything else fails the benchmark.
            var expected = options.Warmup + options.Runs;
            var completed = warden.Scalar($"SELECT COUNT(*) FROM runs WHERE graph_id = '{BenchGraphs.PipelineId}' AND status = 'completed'");
            var total = warden.Scalar("SELECT COUNT(*) FROM runs");
            if (completed != expected || total != expected || hops != (long)options.Runs * HopsPerRun || latency.Count != hops)
            {
                throw new BenchmarkFailedException(
                    $"{synchronous}: expected {expected} completed runs and {options.Runs * HopsPerRun} hops; found {completed} completed of {total} runs " +
                    $"({warden.StatusCounts()}), {hops} hops, {latency.Count} hop latencies");
            }

            // Every appended timeline event (warm-up included) must be in the store.
            var storedEvents = warden.Scalar("SELECT COUNT(*) FROM run_events");
            if (storedEvents != warden.Engine.Events)
            {
                throw new BenchmarkFailedException($"{synchronous}: the engine counted {warden.Engine.Events} timeline events but the store holds {storedEvents}");
            }

            engine = new EngineResult(options.Runs, hops, events, wall, startsDone, cpu, writer, latency);
        }

        var raw = RawCommitBench.Run(Path.Combine(root, "raw"), synchronous, options.RawCommits, TimeSpan.FromSeconds(options.RawSeconds), options.Warmup);
        return new ThroughputResult(synchronous, engine, raw);
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static async Task WaitForHopsAsync(WardenInstance warden, long target)
    {
        var last = warden.Engine.Hops;
        var lastProgress = Stopwatch.StartNew();
        while (true)
        {
            var hops = warden.Engine.Hops;
            if (hops >= target)
            {
                return;
            }

            if (hops != last)
            {
                last = hops;
                lastProgress.Restart();
            }
            else if (lastProgress.Elapsed > StallLimit)
            {
                throw new BenchmarkFailedException($"no hop committed for {StallLimit.TotalSeconds:0}s at {hops} of {target} hops ({warden.StatusCounts()})");
            }

            await Task.Delay(1);
        }
    }
}

public sealed record EngineResult(int Runs, long Hops, long Events, TimeSpan Wall, TimeSpan StartsAccepted, TimeSpan Cpu, TimeSpan? WriterCpu, LatencySummary Latency)
{
    /// <summary>Process CPU time (all threads, user and kernel) per hop during the measurement.</summary>
    public double CpuMicrosecondsPerHop => Cpu.TotalMicroseconds / Hops;

    public double HopsPerSecond => Hops / Wall.TotalSeconds;

    public double EventsPerSecond => Events / Wall.TotalSeconds;

    public double RunsPerSecond => Runs / Wall.TotalSeconds;
}

public sealed record ThroughputResult(SqliteSynchronous Synchronous, EngineResult Engine, RawCommitResult Raw)
{
    /// <summary>The headline: engine hops per second over single-row commits per second on the same disk and pragmas.</summary>
    public double Ratio => Engine.HopsPerSecond / Raw.CommitsPerSecond;
}

/// <summary>The benchmark could not measure what it claims (runs did not complete, progress stalled): fail loudly.</summary>
public sealed class BenchmarkFailedException : Exception
{
    public BenchmarkFailedException()
    {
    }

    public BenchmarkFailedException(string message)
        : base(message)
    {
    }

    public BenchmarkFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
