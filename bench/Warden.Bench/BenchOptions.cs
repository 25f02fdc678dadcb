using System.Globalization;

namespace Warden.Bench;

/// <summary>Command-line settings of the harness; every flag has a default so a bare run reproduces docs/benchmarks.md.</summary>
public sealed class BenchOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Warden.Bench -- [options]

          --runs <n>          runs of the 5-node pipeline per synchronous mode (default 1000)
          --parked <n>        runs parked at an approval gate for the memory measurement (default 10000)
          --warmup <n>        runs started (and finished or parked) before each measurement (default 200)
          --workers <n>       engine worker pool size, as WARDEN_WORKERS (default 16, the app default)
          --raw-seconds <s>   time cap of the raw SQLite commit loop (default 3)
          --raw-commits <n>   commit cap of the raw SQLite commit loop (default 5000)
          --data-root <dir>   where the temporary data directories go (default: the system temp directory)
          --out <file>        the generated report (default docs/benchmarks.md)
          --keep              keep the temporary data directories (to inspect the databases)
        """;

    public int Runs { get; private set; } = 1000;

    public int Parked { get; private set; } = 10_000;

    public int Warmup { get; private set; } = 200;

    public int Workers { get; private set; } = 16;

    public double RawSeconds { get; private set; } = 3;

    public int RawCommits { get; private set; } = 5000;

    public string DataRoot { get; private set; } = Path.GetTempPath();

    public string Out { get; private set; } = Path.Combine("docs", "benchmarks.md");

    public bool Keep { get; private set; }

    public IReadOnlyList<string> Args { get; private set; } = [];

    /// <returns>The options, or null when the arguments ask for help.</returns>
    /// <exception cref="ArgumentException">An unknown flag or a bad value.</exception>
    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions { Args = args };
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i];
            if (flag is "-h" or "--help")
            {
                return null;
            }

            if (flag == "--keep")
            {
                options.Keep = true;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{flag} needs a value");
            }

            var value = args[++i];
            switch (flag)
            {
                case "--runs":
                    options.Runs = Int(flag, value, 1);
                    break;
                case "--parked":
                    options.Parked = Int(flag, value, 1);
                    break;
                case "--warmup":
                    options.Warmup = Int(flag, value, 0);
                    break;
                case "--workers":
                    options.Workers = Int(flag, value, 1);
                    break;
                case "--raw-seconds":
                    options.RawSeconds = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
                        ? s
                        : throw new ArgumentException($"{flag} must be a positive number of seconds, not '{value}'");
                    break;
                case "--raw-commits":
                    options.RawCommits = Int(flag, value, 1);
                    break;
                case "--data-root":
                    options.DataRoot = value;
                    break;
                case "--out":
                    options.Out = value;
                    break;
                default:
                    throw new ArgumentException($"unknown option '{flag}'");
            }
        }

        return options;
    }

    private static int Int(string flag, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new ArgumentException($"{flag} must be a whole number of at least {min}, not '{value}'");
}
