using Microsoft.Data.Sqlite;

namespace Warden.Runtime.Storage;

public enum SqliteSynchronous
{
    /// <summary>fsync on every commit: a committed decision survives power loss.</summary>
    Full,

    /// <summary>fsync at WAL checkpoints only: survives a process crash, may lose the last commits on power loss.</summary>
    Normal,
}

/// <summary>
/// The embedded store: one SQLite file in WAL mode under the data directory. Every connection gets the
/// same pragmas so the engine, the API and the benchmark measure the same thing.
/// </summary>
public sealed class SqliteDatabase
{
    private static int _initialized;

    public SqliteDatabase(string dataDirectory, SqliteSynchronous synchronous = SqliteSynchronous.Full)
    {
        if (Interlocked.Exchange(ref _initialized, 1) == 0)
        {
            SQLitePCL.Batteries_V2.Init();
            Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        }

        Directory.CreateDirectory(dataDirectory);
        DataDirectory = Path.GetFullPath(dataDirectory);
        FilePath = Path.Combine(DataDirectory, "warden.db");
        Synchronous = synchronous;
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
        using var connection = Open();
        using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL;";
        wal.ExecuteNonQuery();
        Migrations.Apply(connection);
    }

    public string DataDirectory { get; }

    public string FilePath { get; }

    public SqliteSynchronous Synchronous { get; }

    public string ConnectionString { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();

        // temp_store=MEMORY keeps statement journals off disk: when the engine's writer redoes a failed batch with a
        // savepoint per item, every page an item changes would otherwise go to a temporary file. A larger
        // wal_autocheckpoint (8,192 pages, 32 MiB) lets pages that many decisions rewrite reach the database file
        // once per checkpoint instead of many times; it changes no durability guarantee.
        pragma.CommandText = $"PRAGMA synchronous={(Synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL")}; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=8192;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
