using Microsoft.Data.Sqlite;
using Warden.Bench;
using Warden.Runtime.Storage;

BenchOptions? options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    await Console.Error.WriteLineAsync(BenchOptions.Usage);
    return 2;
}

if (options is null)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

var root = Path.Combine(options.DataRoot, "warden-bench-" + Guid.NewGuid().ToString("N")[..8]);
try
{
    var machine = MachineInfo.Describe(root);
    Console.WriteLine($"Warden bench: {machine.Cores} cores, {machine.Os}, {machine.Runtime}; data in {root}");

    var throughput = new List<ThroughputResult>();
    foreach (var mode in new[] { SqliteSynchronous.Full, SqliteSynchronous.Normal })
    {
        Console.WriteLine($"throughput, synchronous={mode.ToString().ToUpperInvariant()}: {options.Runs:N0} runs of 5 hops...");
        throughput.Add(await ThroughputBench.RunAsync(options, mode, Path.Combine(root, mode.ToString().ToLowerInvariant())));
    }

    Console.WriteLine($"memory: {options.Parked:N0} runs parked at an approval gate...");
    var memory = await MemoryBench.RunAsync(options, SqliteSynchronous.Full, Path.Combine(root, "memory"));

    Console.WriteLine();
    Console.Write(Report.Summary(throughput, memory));
    var outPath = Path.GetFullPath(options.Out);
    Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
    await File.WriteAllTextAsync(outPath, Report.WithAppendedSections(Report.Markdown(options, machine, throughput, memory), outPath));
    Console.WriteLine($"wrote {outPath}");
    return 0;
}
catch (BenchmarkFailedException ex)
{
    await Console.Error.WriteLineAsync($"BENCHMARK FAILED: {ex.Message}");
    return 1;
}
finally
{
    SqliteConnection.ClearAllPools();
    if (options.Keep)
    {
        Console.WriteLine($"kept the data directories under {root}");
    }
    else
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"could not remove {root}: {ex.Message}");
        }
    }
}
