using System.Diagnostics;
using Warden.Runtime.Storage;

namespace Warden.Bench;

/// <summary>
/// The baseline: one row per transaction on a connection from <see cref="SqliteDatabase.Open"/> (same WAL mode
/// and pragmas as the engine), using the same <c>BeginTransaction</c> (BEGIN IMMEDIATE) and a prepared INSERT.
/// </summary>
public static class RawCommitBench
{
    public static RawCommitResult Run(string dataDirectory, SqliteSynchronous synchronous, int maxCommits, TimeSpan maxTime, int warmup)
    {
        var db = new SqliteDatabase(dataDirectory, synchronous);
        using var connection = db.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE bench_commits (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, payload TEXT NOT NULL, at TEXT NOT NULL)";
            create.ExecuteNonQuery();
        }

        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO bench_commits (run_id, payload, at) VALUES ($r, $p, $at)";
        var runId = insert.Parameters.AddWithValue("$r", string.Empty);
        var payload = insert.Parameters.AddWithValue("$p", string.Empty);
        var at = insert.Parameters.AddWithValue("$at", string.Empty);
        insert.Prepare();

        for (var i = 0; i < warmup; i++)
        {
            CommitOne(i);
        }

        var commits = 0;
        var clock = Stopwatch.StartNew();
        while (commits < maxCommits && clock.Elapsed < maxTime)
        {
            CommitOne(warmup + commits);
            commits++;
        }

        var elapsed = clock.Elapsed;
        return new RawCommitResult(commits, elapsed);

        void CommitOne(int n)
        {
            using var tx = connection.BeginTransaction();
            insert.Transaction = tx;
            runId.Value = $"run_{n:x20}";
            payload.Value = """{"node":"researcher","visit":1,"attempt":1}""";
            at.Value = DateTimeOffset.UtcNow.ToString("O");
            insert.ExecuteNonQuery();
            tx.Commit();
        }
    }
}

public sealed record RawCommitResult(int Commits, TimeSpan Elapsed)
{
    public double CommitsPerSecond => Commits / Elapsed.TotalSeconds;
}
