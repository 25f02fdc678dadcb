using System.Diagnostics;
using System.Runtime;
using Warden.Runtime.Storage;

namespace Warden.Bench;

/// <summary>
/// Memory held for runs that wait: N runs parked at an approval gate, measured after full compacting GCs
/// against a baseline taken after warm-up. The engine should hold nothing per waiting run.
/// </summary>
public static class MemoryBench
{
    public const int Concurrency = 1000;
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(60);

    public static async Task<MemoryResult> RunAsync(BenchOptions options, SqliteSynchronous synchronous, string dataDirectory)
    {
        await using var warden = await WardenInstance.StartAsync(dataDirectory, synchronous, options.Workers, onHop: null);
        await warden.UploadAsync(BenchGraphs.Gate);
        if (options.Warmup > 0)
        {
            await warden.StartRunsAsync(BenchGraphs.GateId, options.Warmup, options.Warmup);
            await WaitForApprovalsAsync(warden, options.Warmup);
        }

        var before = Snapshot.Take();

        // Park a tenth first and measure again: growth from there to all parked is the marginal cost of a parked
        // run, with one-off growth (SQLite page caches filling, pooled connections) already behind it.
        var first = Math.Max(1, options.Parked / 10);
        var clock = Stopwatch.StartNew();
        await warden.StartRunsAsync(BenchGraphs.GateId, first, Concurrency);
        await WaitForApprovalsAsync(warden, (long)options.Warmup + first);
        clock.Stop();
        await SettleAsync();
        var mid = Snapshot.Take();

        clock.Start();
        await warden.StartRunsAsync(BenchGraphs.GateId, options.Parked - first, Concurrency);
        var expected = (long)options.Warmup + options.Parked;
        await WaitForApprovalsAsync(warden, expected);
        var parkTime = clock.Elapsed;
        await SettleAsync();
        var after = Snapshot.Take();
        var liveRuns = warden.Engine.LiveRuns;

        var pending = warden.Scalar("SELECT COUNT(*) FROM approvals WHERE status = 'pending'");
        var outbox = warden.Scalar("SELECT COUNT(*) FROM outbox");
        var ended = warden.Scalar("SELECT COUNT(*) FROM runs WHERE ended_at IS NOT NULL");
        if (pending != expected || outbox != 0 || ended != 0)
        {
            throw new BenchmarkFailedException(
                $"memory: expected {expected} pending approvals, an empty outbox and no ended runs; found {pending} pending, {outbox} outbox rows, {ended} ended ({warden.StatusCounts()})");
        }

        return new MemoryResult(synchronous, options.Parked, first, expected, parkTime, before, mid, after, liveRuns, warden.StatusCounts());
    }

    /// <summary>Lets the writer finish the batch that created the last approvals (its post-commit bookkeeping).</summary>
    private static Task SettleAsync() => Task.Delay(TimeSpan.FromMilliseconds(250));

    private static async Task WaitForApprovalsAsync(WardenInstance warden, long expected)
    {
        var last = -1L;
        var lastProgress = Stopwatch.StartNew();
        while (true)
        {
            var approvals = warden.Scalar("SELECT COUNT(*) FROM approvals");
            if (approvals >= expected)
            {
                return;
            }

            if (approvals != last)
            {
                last = approvals;
                lastProgress.Restart();
            }
            else if (lastProgress.Elapsed > StallLimit)
            {
                throw new BenchmarkFailedException($"no approval requested for {StallLimit.TotalSeconds:0}s at {approvals} of {expected} ({warden.StatusCounts()})");
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>Process memory after two forced, blocking, compacting full collections.</summary>
public sealed record Snapshot(long ManagedHeap, long GcCommitted, long SqliteMemory, long WorkingSet, long PrivateBytes, long? RssAnon)
{
    public static Snapshot Take()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return new Snapshot(
            heap,
            GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes,
            SQLitePCL.raw.sqlite3_memory_used(),
            process.WorkingSet64,
            process.PrivateMemorySize64,
            ReadRssAnon());
    }

    /// <summary>Linux only: resident anonymous memory (heap pages actually in RAM), from /proc/self/status.</summary>
    private static long? ReadRssAnon()
    {
        const string path = "/proc/self/status";
        if (!OperatingSystem.IsLinux() || !File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                var kb = line["RssAnon:".Length..].Trim().Split(' ')[0];
                return long.TryParse(kb, out var n) ? n * 1024 : null;
            }
        }

        return null;
    }
}

public sealed record MemoryResult(
    SqliteSynchronous Synchronous,
    int Parked,
    int FirstParked,
    long TotalParked,
    TimeSpan ParkTime,
    Snapshot Before,
    Snapshot Mid,
    Snapshot After,
    int LiveRuns,
    string Statuses)
{
    /// <summary>Growth from the baseline to all parked, per parked run.</summary>
    public double PerRun(Func<Snapshot, long> measure) => (double)(measure(After) - measure(Before)) / Parked;

    /// <summary>Growth from the first tenth parked to all parked, per run parked in between.</summary>
    public double MarginalPerRun(Func<Snapshot, long> measure) =>
        Parked == FirstParked ? 0 : (double)(measure(After) - measure(Mid)) / (Parked - FirstParked);
}
