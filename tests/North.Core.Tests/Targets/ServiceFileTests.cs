using North.Core.Connections;
using North.Core.Errors;
using North.Core.Settings;
using North.Core.Targets;
using Npgsql;

namespace North.Core.Tests.Targets;

public sealed class ServiceFileTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("north-service");

    public void Dispose() => _folder.Delete(recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_folder.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private ConnectionEnvironment Env(params (string Name, string Value)[] variables) => new()
    {
        Variables = variables.ToDictionary(v => v.Name, v => (string?)v.Value, StringComparer.Ordinal),
        UserName = "osuser",
        HomeDirectory = Path.Combine(_folder.FullName, "home"),
        DefaultHost = "localhost",
    };

    [Fact]
    public void ReadsTheNamedSectionWithLibpqsRules()
    {
        var path = Write("home/.pg_service.conf", """
            # tenants
            [other]
            host=elsewhere
            this line of another service is not read

              [billing]
            host=db1.example.org
            port=5433
            dbname=billing
            user=north
            dbname=ignored, the first one wins
            # a comment
            options=-c search_path=app,public

            [billing]
            host=second-section-is-not-read
            """);
        var values = ServiceFile.Read(path, "billing")!;
        Assert.Equal(
            [new("host", "db1.example.org"), new("port", "5433"), new("dbname", "billing"), new("user", "north"), new("options", "-c search_path=app,public")],
            values);
        Assert.Null(ServiceFile.Read(path, "bill"));
    }

    [Fact]
    public void TheUserFileWinsThenTheSystemFile()
    {
        Write("home/.pg_service.conf", "[a]\nhost=from-home\n");
        Write("given/services.conf", "[a]\nhost=from-pgservicefile\n");
        Write("etc/pg_service.conf", "[a]\nhost=from-sysconfdir\n[b]\nhost=b-from-sysconfdir\n");
        var sysconf = Path.Combine(_folder.FullName, "etc");

        Assert.Equal("from-home", ServiceFile.Find("a", Env(("PGSYSCONFDIR", sysconf)))[0].Value);
        Assert.Equal("from-pgservicefile", ServiceFile.Find("a", Env(("PGSERVICEFILE", Path.Combine(_folder.FullName, "given/services.conf")), ("PGSYSCONFDIR", sysconf)))[0].Value);
        // Not in the user's file: the system's.
        Assert.Equal("b-from-sysconfdir", ServiceFile.Find("b", Env(("PGSYSCONFDIR", sysconf)))[0].Value);
    }

    [Fact]
    public void AnUnknownServiceNamesTheFilesSearched()
    {
        Write("home/.pg_service.conf", "[a]\nhost=x\n");
        var e = Assert.Throws<NorthException>(() => ServiceFile.Find("nope", Env(("PGSYSCONFDIR", Path.Combine(_folder.FullName, "etc")))));
        Assert.Equal(ErrorIds.ServiceNotFound, e.ErrorId);
        Assert.Contains("\"nope\"", e.Message, StringComparison.Ordinal);
        Assert.Contains(".pg_service.conf", e.Message, StringComparison.Ordinal);
        Assert.Equal("nope", e.Target);
    }

    [Theory]
    [InlineData("host db1", "is not keyword=value")]
    [InlineData("host = db1", "\"host \" is not a libpq connection keyword")]
    [InlineData("service=other", "nested service")]
    public void ABadLineNamesTheFileAndLine(string line, string reason)
    {
        var path = Write("bad.conf", $"[x]\nport=5432\n{line}\n");
        var e = Assert.Throws<NorthException>(() => ServiceFile.Read(path, "x"));
        Assert.Equal(ErrorIds.ServiceFileInvalid, e.ErrorId);
        Assert.Contains($"\"{path}\", line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AServiceTargetConnectsWithItsValuesUnderTheTargetsOwn()
    {
        Write("home/.pg_service.conf", "[tenant]\nhost=db1\nport=5433\ndbname=tenant_a\nuser=north\npassword=it's a \\secret\nsslmode=require\n");
        var env = Env();
        var settings = new DatabaseTarget { Service = "tenant", Database = "tenant_b" }.ApplyTo(new NorthSettings(), env);
        var built = new NpgsqlConnectionStringBuilder(new ConnectionFactory(ConnectionOptions.FromSettings(settings), env).ConnectionString);
        Assert.Equal("db1", built.Host);
        Assert.Equal(5433, built.Port);
        Assert.Equal("tenant_b", built.Database); // the target's own value wins, as in libpq
        Assert.Equal("north", built.Username);
        Assert.Equal("it's a \\secret", built.Password);
        Assert.Equal(SslMode.Require, built.SslMode);
    }

    [Theory]
    [InlineData("db1:5433", null, "db1", 5433)]
    [InlineData("[::1]:5433", null, "::1", 5433)]
    [InlineData("db1:5433", 6000, "db1:5433", 6000)]
    [InlineData("/var/run/postgresql", null, "/var/run/postgresql", null)]
    public void AServerAsOutputObjectsNameItIsAHostAndPort(string host, int? port, string expectedHost, int? expectedPort)
    {
        var settings = new DatabaseTarget { Host = host, Port = port }.ApplyTo(new NorthSettings(), Env());
        Assert.Equal(expectedHost, settings.Host);
        Assert.Equal(expectedPort, settings.Port);
    }

    [Theory]
    [InlineData("Host=db1;Port=5433;Database=app", "db1:5433", "app")]
    [InlineData("host=/var/run/postgresql dbname=app", "/var/run/postgresql", "app")]
    [InlineData("Host=::1;Port=5432;Database=app", "[::1]:5432", "app")]
    public void IdentityIsServerAndDatabase(string connectionString, string server, string database)
    {
        var identity = TargetIdentity.Of(new ConnectionFactory(new ConnectionOptions { ConnectionString = connectionString }, Env()));
        Assert.Equal(new TargetIdentity(server, database), identity);
        Assert.Equal($"{server}/{database}", identity.ToString());
    }
}
