using Npgsql;
using Warden.Runtime.Hosting;

namespace Warden.Runtime.Storage.Postgres;

/// <summary>
/// The shared store: one PostgreSQL database that every Warden instance of a deployment opens. Opening applies the
/// migrations (under an advisory lock, so instances starting together do not race) and fails with one line naming the
/// setting when the server cannot be used.
/// </summary>
public sealed class PostgresDatabase : IDisposable, IAsyncDisposable
{
    private static int _initialized;

    private PostgresDatabase(NpgsqlDataSource dataSource, string description)
    {
        DataSource = dataSource;
        Description = description;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>host:port/database as user, for logs and messages: never the password.</summary>
    public string Description { get; }

    /// <summary>Connects, applies the migrations and returns the database.</summary>
    /// <param name="text">A postgres:// URI or an Npgsql key=value string.</param>
    /// <param name="setting">Named in the message when the store cannot be used (WARDEN_STORE, --store).</param>
    /// <exception cref="ConfigurationException">The text is malformed, or the server refuses or cannot be reached.</exception>
    public static PostgresDatabase Open(string text, string setting = "WARDEN_STORE")
    {
        if (Interlocked.Exchange(ref _initialized, 1) == 0)
        {
            Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        }

        var connectionString = PostgresConnectionString.Normalize(text, setting);
        var description = PostgresConnectionString.Describe(connectionString);
        var dataSource = NpgsqlDataSource.Create(connectionString);
        try
        {
            using var connection = dataSource.OpenConnection();
            PostgresMigrations.Apply(connection);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            dataSource.Dispose();

            // PostgreSQL's messages name the user and the database, never the password.
            throw new ConfigurationException($"{setting}: cannot use the PostgreSQL store at {description}: {FirstLine(ex)}", ex);
        }

        return new PostgresDatabase(dataSource, description);
    }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct = default) => DataSource.OpenConnectionAsync(ct);

    public void Dispose() => DataSource.Dispose();

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    private static string FirstLine(Exception ex)
    {
        var message = (ex.InnerException is System.Net.Sockets.SocketException socket ? socket.Message : ex.Message).ReplaceLineEndings(" ");
        return message.Length > 300 ? message[..300] : message;
    }
}
