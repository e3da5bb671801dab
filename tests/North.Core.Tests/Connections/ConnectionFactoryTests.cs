using North.Core.Connections;
using North.Core.Errors;
using North.Core.Settings;
using North.Core.Tests.Infrastructure;
using Npgsql;

namespace North.Core.Tests.Connections;

public class ConnectionFactoryTests
{
    private static ConnectionEnvironment Env(Dictionary<string, string?>? variables = null, string? home = null) => new()
    {
        Variables = variables ?? new Dictionary<string, string?>(),
        UserName = "osuser",
        HomeDirectory = home,
        DefaultHost = "localhost",
    };

    private static NpgsqlConnectionStringBuilder Built(ConnectionFactory factory) => new(factory.ConnectionString);

    // PG* host, port, database, user and password are settings: resolved by SettingsLoader, as a run does.
    private static ConnectionFactory Resolved(SettingsOverrides parameters, ConnectionEnvironment env)
    {
        var folder = Directory.CreateTempSubdirectory("north-connection");
        try
        {
            var variables = env.Variables.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!, StringComparer.Ordinal);
            var settings = SettingsLoader.Load(parameters with { MigrationsRoot = folder.FullName }, folder.FullName, variables);
            return new ConnectionFactory(ConnectionOptions.FromSettings(settings), env);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void DefaultsFollowLibpq()
    {
        var factory = new ConnectionFactory(new ConnectionOptions(), Env());
        Assert.Equal("localhost", factory.Host);
        Assert.Equal(5432, factory.Port);
        Assert.Equal("osuser", factory.Username);
        Assert.Equal("osuser", factory.Database);
        Assert.Equal("North", Built(factory).ApplicationName);
        Assert.Equal(0, Built(factory).CommandTimeout);
        Assert.Equal("localhost:5432/osuser", factory.Target);
    }

    [Fact]
    public void LibpqKeywordFormWithQuotedValues()
    {
        var factory = new ConnectionFactory(new ConnectionOptions
        {
            ConnectionString = @"host=db.example port = 6543 dbname='my app' user=dba password='it\'s secret' sslmode=require application_name=ops connect_timeout=7",
        }, Env());
        var b = Built(factory);
        Assert.Equal("db.example", b.Host);
        Assert.Equal(6543, b.Port);
        Assert.Equal("my app", b.Database);
        Assert.Equal("dba", b.Username);
        Assert.Equal("it's secret", b.Password);
        Assert.Equal(SslMode.Require, b.SslMode);
        Assert.Equal("ops", b.ApplicationName);
        Assert.Equal(7, b.Timeout);
    }

    [Fact]
    public void NpgsqlFormIsReadToo()
    {
        var b = Built(new ConnectionFactory(new ConnectionOptions { ConnectionString = "Server=h1;Port=5433;Database=d;User ID=u;Pooling=false" }, Env()));
        Assert.Equal("h1", b.Host);
        Assert.Equal(5433, b.Port);
        Assert.Equal("d", b.Database);
        Assert.Equal("u", b.Username);
        Assert.False(b.Pooling);
    }

    [Fact]
    public void UriIsPercentDecodedWithQueryParameters()
    {
        var b = Built(new ConnectionFactory(new ConnectionOptions
        {
            ConnectionString = "postgresql://us%40er:p%3Ass%2Fw@db.example:5544/sales%20db?sslmode=require&application_name=nightly&connect_timeout=3",
        }, Env()));
        Assert.Equal("us@er", b.Username);
        Assert.Equal("p:ss/w", b.Password);
        Assert.Equal("db.example", b.Host);
        Assert.Equal(5544, b.Port);
        Assert.Equal("sales db", b.Database);
        Assert.Equal(SslMode.Require, b.SslMode);
        Assert.Equal("nightly", b.ApplicationName);
        Assert.Equal(3, b.Timeout);
    }

    [Fact]
    public void UriWithSeveralHostsAndASocketFolder()
    {
        var multi = Built(new ConnectionFactory(new ConnectionOptions { ConnectionString = "postgres://h1:5432,h2:5433/app" }, Env()));
        Assert.Equal("h1:5432,h2:5433", multi.Host);
        var socket = Built(new ConnectionFactory(new ConnectionOptions { ConnectionString = "postgresql://%2Fvar%2Frun%2Fpostgresql/app" }, Env()));
        Assert.Equal("/var/run/postgresql", socket.Host);
    }

    [Fact]
    public void StrongestSourceWins()
    {
        var env = Env(new Dictionary<string, string?>
        {
            ["PGHOST"] = "envhost", ["PGPORT"] = "7000", ["PGDATABASE"] = "envdb", ["PGUSER"] = "envuser",
            ["PGPASSWORD"] = "envpw", ["PGSSLMODE"] = "disable", ["PGAPPNAME"] = "envapp", ["PGCONNECT_TIMEOUT"] = "9",
        });
        var fromEnv = Built(Resolved(new SettingsOverrides(), env));
        Assert.Equal(("envhost", 7000, "envdb", "envuser", "envpw", SslMode.Disable, "envapp", 9),
            (fromEnv.Host, fromEnv.Port, fromEnv.Database, fromEnv.Username, fromEnv.Password, fromEnv.SslMode, fromEnv.ApplicationName, fromEnv.Timeout));

        var values = Built(Resolved(new SettingsOverrides { Host = "valhost", Database = "valdb" }, env));
        Assert.Equal(("valhost", 7000, "valdb", "envuser"), (values.Host, values.Port, values.Database, values.Username));

        var text = Built(Resolved(new SettingsOverrides { Host = "valhost", Database = "valdb", ConnectionString = "dbname=strdb" }, env));
        Assert.Equal(("valhost", "strdb"), (text.Host, text.Database));
    }

    [Fact]
    public void PasswordFileMatchesWithWildcardsAndEscapes()
    {
        var dir = Directory.CreateTempSubdirectory("north-pgpass");
        try
        {
            var path = Path.Combine(dir.FullName, ".pgpass");
            File.WriteAllLines(path, new[]
            {
                "# comment",
                "otherhost:*:*:dba:wrong",
                @"db:5432:my\:db:dba:pa\:ss\\word",
                "localhost:*:*:*:socketpw",
            });
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var env = Env(home: dir.FullName);
            Assert.Equal(@"pa:ss\word", Built(new ConnectionFactory(new ConnectionOptions { Host = "db", Database = "my:db", Username = "dba" }, env)).Password);
            Assert.Equal("socketpw", Built(new ConnectionFactory(new ConnectionOptions { Host = "/var/run/postgresql" }, env)).Password);
            Assert.Null(Built(new ConnectionFactory(new ConnectionOptions { Host = "nomatch" }, env)).Password);

            // PGPASSFILE points elsewhere; a file others can read is ignored, with a warning.
            var shared = Path.Combine(dir.FullName, "shared");
            File.WriteAllText(shared, "*:*:*:*:leaked\n");
            File.SetUnixFileMode(shared, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var factory = new ConnectionFactory(new ConnectionOptions(), Env(new Dictionary<string, string?> { ["PGPASSFILE"] = shared }, dir.FullName));
            Assert.Null(Built(factory).Password);
            Assert.Contains(factory.Warnings, w => w.Contains("group or world access"));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void DescribeAndMaskShowNoPassword()
    {
        var factory = new ConnectionFactory(new ConnectionOptions { ConnectionString = "postgresql://dba:Sup3rS3cret@db:5433/app?sslmode=require" }, Env());
        Assert.Equal("dba@db:5433/app (sslmode=require, application_name=North)", factory.Describe());
        foreach (var text in new[] { "postgresql://dba:Sup3rS3cret@db/app", "host=db password=Sup3rS3cret", "Host=db;Password=Sup3rS3cret" })
        {
            var masked = ConnectionFactory.Mask(text);
            Assert.DoesNotContain("Sup3rS3cret", masked);
            Assert.Contains("***", masked);
        }
        Assert.DoesNotContain("Sup3rS3cret", ConnectionFactory.Mask("host='Sup3rS3cret"));
    }

    [Fact]
    public void BadKeywordIsAClearErrorWithoutValues()
    {
        var e = Assert.Throws<NorthException>(() => new ConnectionFactory(new ConnectionOptions { ConnectionString = "host=db bogus=Sup3rS3cret" }, Env()));
        Assert.Equal("NorthConnectionStringInvalid", e.ErrorId);
        Assert.Contains("bogus", e.Message);
        Assert.DoesNotContain("Sup3rS3cret", e.Message);
        var mode = Assert.Throws<NorthException>(() => new ConnectionFactory(new ConnectionOptions { SslMode = "sometimes" }, Env()));
        Assert.Contains("sslmode", mode.Message);
    }

    [Fact]
    public async Task ConnectsThroughAUriToTheRealServer()
    {
        await using var db = await TestDatabase.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        var uri = $"postgresql://{Uri.EscapeDataString(server.Username!)}:{Uri.EscapeDataString(server.Password ?? "")}@{server.Host}:{server.Port}/{Uri.EscapeDataString(server.Database!)}?application_name=north-uri-test";
        var factory = new ConnectionFactory(new ConnectionOptions { ConnectionString = uri }, Env());
        await using var connection = await factory.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_database() || ' ' || current_setting('application_name')", connection);
        Assert.Equal($"{db.Name} north-uri-test", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task WrongPasswordNamesTargetAndUserButNotThePassword()
    {
        await using var db = await TestDatabase.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        const string wrong = "Wr0ngPassw0rd!";
        var factory = new ConnectionFactory(new ConnectionOptions
        {
            Host = server.Host, Port = server.Port, Database = db.Name, Username = server.Username, Password = wrong,
        }, Env());
        var e = await Assert.ThrowsAsync<NorthException>(() => factory.OpenAsync());
        Assert.Equal("NorthConnectionFailed", e.ErrorId);
        Assert.Equal(NorthErrorKind.ConnectionError, e.Kind);
        Assert.Equal($"{server.Host}:{server.Port}/{db.Name}", e.Target);
        Assert.Contains("password authentication failed", e.Message);
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            Assert.DoesNotContain(wrong, x.ToString());
        }
    }

    [Fact]
    public async Task WrongPortSaysTheServerDoesNotAnswer()
    {
        await using var db = await TestDatabase.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        var factory = new ConnectionFactory(new ConnectionOptions
        {
            Host = "127.0.0.1", Port = 1, Database = db.Name, Username = server.Username, Password = server.Password, ConnectTimeout = 3,
        }, Env());
        var e = await Assert.ThrowsAsync<NorthException>(() => factory.OpenAsync());
        Assert.Equal("NorthConnectionFailed", e.ErrorId);
        Assert.Equal($"127.0.0.1:1/{db.Name}", e.Target);
        Assert.Contains("listens", e.RecommendedAction);
        if (!string.IsNullOrEmpty(server.Password))
        {
            Assert.DoesNotContain(server.Password, e.ToString());
        }
    }
}
