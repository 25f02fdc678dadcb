using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Warden.Bench.Contracts;

// Usage: dotnet run -c Release --project bench/Warden.Bench.Contracts [-- --out <file>] [BenchmarkDotNet arguments]
// Writes the measured table to docs/benchmarks-contracts.md (or --out).
var outPath = Path.Combine("docs", "benchmarks-contracts.md");
var benchmarkArgs = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--out" && i + 1 < args.Length)
    {
        outPath = args[++i];
    }
    else
    {
        benchmarkArgs.Add(args[i]);
    }
}

// A short job, so that a run takes a couple of minutes on a small machine.
var job = Job.Default.WithId("Short").WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(8);
var summary = BenchmarkRunner.Run<ContractBenchmarks>(ManualConfig.Create(DefaultConfig.Instance).AddJob(job), [.. benchmarkArgs]);
if (summary.HasCriticalValidationErrors || summary.Reports.IsEmpty || summary.Reports.Any(r => !r.Success || r.ResultStatistics is null))
{
    await Console.Error.WriteLineAsync("BENCHMARK FAILED: some benchmarks did not run; the report was not written");
    return 1;
}

var markdown = ContractReport.Markdown(summary, job);
var fullPath = Path.GetFullPath(outPath);
Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
await File.WriteAllTextAsync(fullPath, markdown);
Console.WriteLine();
Console.Write(markdown);
Console.WriteLine($"wrote {fullPath}");
return 0;
