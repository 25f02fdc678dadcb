using Microsoft.Data.Sqlite;
using Npgsql;
using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Postgres;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

public sealed class SqliteMigrationTests : IDisposable
{
    private readonly string _dir = TestWarden.NewDataDirectory();

    public void Dispose() => SqliteConnection.ClearAllPools();

    [Fact]
    public async Task Migrations_OpenTwice_AppliedOnce()
    {
        // Arrange
        var db = new SqliteDatabase(_dir);

        // Act
        _ = new SqliteDatabase(_dir);

        // Assert
        await using var connection = db.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM schema_migrations";
        ((long)cmd.ExecuteScalar()!).ShouldBe(Migrations.Count);
    }
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresMigrationTests(PostgresServer server)
{
    [Fact]
    public async Task Open_FourInstancesAtOnce_EachMigrationAppliedOnce()
    {
        // Arrange
        var connectionString = server.ConnectionString(await server.CreateDatabaseAsync());

        // Act
        var databases = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgresDatabase.Open(connectionString))));

        // Assert
        await using var connection = await databases[0].OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT COUNT(*) FROM schema_migrations", connection);
        ((long)(await cmd.ExecuteScalarAsync())!).ShouldBe(PostgresMigrations.Count);
        foreach (var db in databases)
        {
            await db.DisposeAsync();
        }
    }

    [Fact]
    public async Task Open_Reopened_SchemaUnchangedAndDataKept()
    {
        // Arrange
        var connectionString = server.ConnectionString(await server.CreateDatabaseAsync());
        await using (var first = PostgresDatabase.Open(connectionString))
        {
            await new PostgresGraphStore(first, TimeProvider.System).SaveVersionAsync("t1", "g", null, "name: g", "yaml");
        }

        // Act
        await using var second = PostgresDatabase.Open(connectionString);

        // Assert
        (await new PostgresGraphStore(second, TimeProvider.System).GetVersionAsync("t1", "g", null))!.Version.ShouldBe(1);
    }

    [Fact]
    public void Open_DatabaseMissing_FailsWithOneLineNamingTheSetting()
    {
        // Act
        var error = Should.Throw<ConfigurationException>(() => PostgresDatabase.Open(server.Uri("no_such_database"), "--store"));

        // Assert
        error.Message.ShouldStartWith("--store: cannot use the PostgreSQL store at 127.0.0.1:");
        error.Message.ShouldContain("no_such_database");
        error.Message.ShouldNotContain("\n");
    }
}
