using Npgsql;
using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Storage.Postgres;
using Xunit;

namespace Warden.Runtime.Tests.Storage;

public sealed class PostgresConnectionStringTests
{
    private const string Password = "s3cr%t:p@ss";

    [Fact]
    public void Normalize_AzureStyleUri_EveryPartMapped()
    {
        // Act
        var text = PostgresConnectionString.Normalize("postgres://warden%40server:s3cr%25t%3Ap%40ss@db.example.com:6432/warden_prod?sslmode=require&application_name=warden-api", "WARDEN_STORE");

        // Assert
        var builder = new NpgsqlConnectionStringBuilder(text);
        (builder.Host, builder.Port, builder.Database).ShouldBe(("db.example.com", 6432, "warden_prod"));
        (builder.Username, builder.Password).ShouldBe(("warden@server", Password));
        builder.SslMode.ShouldBe(SslMode.Require);
        builder.ApplicationName.ShouldBe("warden-api");
    }

    [Theory]
    [InlineData("postgresql://u@localhost/db", "localhost", 5432, "db")]
    [InlineData("postgres://u:p@127.0.0.1:5433/w?sslmode=disable", "127.0.0.1", 5433, "w")]
    [InlineData("Host=pg.internal;Port=5434;Database=w;Username=u;Password=p", "pg.internal", 5434, "w")]
    public void Normalize_UriOrKeyValue_HostPortDatabase(string text, string host, int port, string database)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(text, "WARDEN_STORE"));

        (builder.Host, builder.Port, builder.Database).ShouldBe((host, port, database));
    }

    [Theory]
    [InlineData("postgres://u:s3cr%25t%3Ap%40ss@db.example.com:5432/w?sslmode=sometimes")]
    [InlineData("postgres://u:s3cr%25t%3Ap%40ss@db.example.com:5432/w?frobnicate=1")]
    [InlineData("postgres://u:s3cr%25t%3Ap%40ss@db.example.com:notaport/w")]
    [InlineData("Host=db;Password=s3cr%t:p@ss;Frobnicate=1")]
    [InlineData("Database=w;Password=s3cr%t:p@ss")]
    public void Normalize_Unusable_FailsNamingTheSettingNeverThePassword(string text)
    {
        // Act
        var error = Should.Throw<ConfigurationException>(() => PostgresConnectionString.Normalize(text, "WARDEN_STORE"));

        // Assert
        error.Message.ShouldStartWith("WARDEN_STORE");
        error.Message.ShouldNotContain("s3cr");
        error.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void FromEnvironment_StoreUnsetOrSqlite_EmbeddedStoreAlone()
    {
        WardenSettings.FromEnvironment(_ => null).Store.ShouldBeNull();
        WardenSettings.FromEnvironment(name => name == "WARDEN_STORE" ? "sqlite" : null).Store.ShouldBeNull();
    }

    [Fact]
    public void FromEnvironment_PostgresUri_StoreIsTheNpgsqlConnectionString()
    {
        // Act
        var settings = WardenSettings.FromEnvironment(name => name == "WARDEN_STORE" ? "postgres://warden:pw@127.0.0.1:5432/warden" : null);

        // Assert
        settings.Store.ShouldNotBeNull();
        PostgresConnectionString.Describe(settings.Store).ShouldBe("127.0.0.1:5432/warden as warden");
    }

    [Fact]
    public void FromEnvironment_NotAConnectionString_FailsNamingWardenStore()
    {
        var error = Should.Throw<ConfigurationException>(() => WardenSettings.FromEnvironment(name => name == "WARDEN_STORE" ? "mysql://root:hunter2@db/w" : null));

        error.Message.ShouldStartWith("WARDEN_STORE must be sqlite, tables or a PostgreSQL connection string");
        error.Message.ShouldNotContain("hunter2");
    }

    [Fact]
    public void Open_ServerNotListening_FailsWithOneLineNamingWardenStoreWithoutPassword()
    {
        // Arrange: a loopback port nothing listens on
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        // Act
        var error = Should.Throw<ConfigurationException>(() => PostgresDatabase.Open($"postgres://warden:s3cr%25t@127.0.0.1:{port}/warden"));

        // Assert
        error.Message.ShouldStartWith($"WARDEN_STORE: cannot use the PostgreSQL store at 127.0.0.1:{port}/warden as warden: ");
        error.Message.ShouldNotContain("s3cr");
        error.Message.ShouldNotContain("\n");
    }
}
