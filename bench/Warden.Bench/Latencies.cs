namespace Warden.Bench;

/// <summary>Hop latencies as the engine reports them (dispatch to committed result); thread-safe, cheap to record.</summary>
public sealed class Latencies
{
    private readonly Lock _lock = new();
    private readonly List<double> _ms = new(capacity: 16_384);
    private bool _recording;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _ms.Count;
            }
        }
    }

    public void Record(TimeSpan latency)
    {
        lock (_lock)
        {
            if (_recording)
            {
                _ms.Add(latency.TotalMilliseconds);
            }
        }
    }

    /// <summary>Drops what was recorded so far (the warm-up) and records from now on.</summary>
    public void Restart()
    {
        lock (_lock)
        {
            _ms.Clear();
            _recording = true;
        }
    }

    public LatencySummary Summarize()
    {
        double[] sorted;
        lock (_lock)
        {
            _recording = false;
            sorted = [.. _ms];
        }

        Array.Sort(sorted);
        return sorted.Length == 0
            ? new LatencySummary(0, 0, 0, 0, 0)
            : new LatencySummary(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.90), Percentile(sorted, 0.99), sorted[^1]);
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

public sealed record LatencySummary(int Count, double P50Ms, double P90Ms, double P99Ms, double MaxMs);
