using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Warden.Bench.Guardrails;

// Usage: dotnet run -c Release --project bench/Warden.Bench.Guardrails [-- --out <file>] [BenchmarkDotNet arguments]
// Writes the measured table to docs/benchmarks-guardrails.md (or --out); bench/Warden.Bench appends that file to
// docs/benchmarks.md whenever it regenerates the report.
var outPath = Path.Combine("docs", "benchmarks-guardrails.md");
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

// A short job, so that a run takes a few minutes on a small machine; the report says how noisy that is.
var job = Job.Default.WithId("Short").WithLaunchCount(1).WithWarmupCount(4).WithIterationCount(10);
var summary = BenchmarkRunner.Run<GuardrailBenchmarks>(ManualConfig.Create(DefaultConfig.Instance).AddJob(job), [.. benchmarkArgs]);
if (summary.HasCriticalValidationErrors || summary.Reports.IsEmpty || summary.Reports.Any(r => !r.Success || r.ResultStatistics is null))
{
    await Console.Error.WriteLineAsync("BENCHMARK FAILED: some benchmarks did not run; the report was not written");
    return 1;
}

var markdown = GuardrailReport.Markdown(summary, job);
var fullPath = Path.GetFullPath(outPath);
Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
await File.WriteAllTextAsync(fullPath, markdown);
Console.WriteLine();
Console.Write(markdown);
Console.WriteLine($"wrote {fullPath}");
return 0;
