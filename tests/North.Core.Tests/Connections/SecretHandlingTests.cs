using North.Core.Connections;
using North.Core.Errors;
using Npgsql;

namespace North.Core.Tests.Connections;

/// <summary>Passwords masked by field, never by text; sslmode as libpq means it; no passfile behind North's back.</summary>
public class SecretHandlingTests
{
    private static ConnectionEnvironment Env(string? home, Dictionary<string, string?>? variables = null) => new()
    {
        Variables = variables ?? new Dictionary<string, string?>(),
        UserName = "osuser",
        HomeDirectory = home,
        DefaultHost = "localhost",
    };

    private static NpgsqlConnectionStringBuilder Built(ConnectionFactory factory) => new(factory.ConnectionString);

    [Theory]
    [InlineData("postgresql://dba:s3cret@db:5432/app", "postgresql://dba:***@db:5432/app")]
    [InlineData("could not connect with host=db password=s3cret user=dba", "could not connect with host=db password=*** user=dba")]
    [InlineData("Host=db;Password=s3cret;Username=dba", "Host=db;Password=***;Username=dba")]
    [InlineData("host=db password='it\\'s secret' dbname=x", "host=db password=*** dbname=x")]
    [InlineData("password authentication failed for user \"postgres\"", "password authentication failed for user \"postgres\"")]
    [InlineData("Key (id)=(5432) already exists.", "Key (id)=(5432) already exists.")]
    public void TextIsMaskedInPasswordFieldsOnly(string text, string expected) =>
        Assert.Equal(expected, SecretMask.InText(text));

    [Theory]
    [InlineData("CREATE ROLE app LOGIN PASSWORD 'Sekr3t';", "CREATE ROLE app LOGIN PASSWORD '***';")]
    [InlineData("alter user app with encrypted password E'it\\'s';", "alter user app with encrypted password '***';")]
    [InlineData("-- rotate\nALTER ROLE app PASSWORD 'a''b' VALID UNTIL 'infinity';", "-- rotate\nALTER ROLE app PASSWORD '***' VALID UNTIL 'infinity';")]
    [InlineData("CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'u', password 'pw');", "CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'u', password '***');")]
    [InlineData("CREATE ROLE app PASSWORD $$x$$ LOGIN", "CREATE ROLE app PASSWORD '***' LOGIN")]
    [InlineData("CREATE ROLE app LOGIN PASSWORD 'first line of a", "CREATE ROLE app LOGIN PASSWORD '***'")]
    [InlineData("UPDATE accounts SET note = 'password ''x'''", "UPDATE accounts SET note = 'password ''x'''")]
    [InlineData("ALTER ROLE app PASSWORD NULL", "ALTER ROLE app PASSWORD NULL")]
    public void StatementsMaskRolePasswordLiterals(string sql, string expected) =>
        Assert.Equal(expected, SecretMask.InStatement(sql));

    [Fact]
    public void ConnectionErrorKeepsUserPortAndLettersThatEqualThePassword()
    {
        foreach (var (user, password, port) in new[] { ("postgres", "postgres", 1), ("dba", "1", 1), ("dba", "e", 1) })
        {
            var factory = new ConnectionFactory(new ConnectionOptions { Host = "127.0.0.1", Port = port, Username = user, Password = password, Database = "postgres" }, Env(null));
            var error = factory.ConnectionFailed(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
            Assert.StartsWith($"Cannot connect to PostgreSQL at 127.0.0.1:{port}/postgres as user \"{user}\": ", error.Message);
            Assert.DoesNotContain("***", error.Message);
        }
    }

    [Fact]
    public void NoPasswordFoundMeansNpgsqlReadsNoPasswordFile()
    {
        var factory = new ConnectionFactory(new ConnectionOptions { Host = "db" }, Env(null));
        Assert.False(factory.HasPassword);
        var passfile = Built(factory).Passfile;
        Assert.NotNull(passfile);
        Assert.Empty(File.ReadAllText(passfile!)); // an empty file: nothing for Npgsql to find
        Assert.Null(Built(new ConnectionFactory(new ConnectionOptions { Host = "db", Password = "x" }, Env(null))).Passfile);
    }

    [Theory]
    [InlineData("verify-ca", SslMode.VerifyCA)]
    [InlineData("verify-full", SslMode.VerifyFull)]
    public void VerifyModesNeedTheRootCertificateAndUseIt(string mode, SslMode expected)
    {
        var home = Directory.CreateTempSubdirectory("north-ssl");
        try
        {
            var missing = Assert.Throws<NorthException>(() => new ConnectionFactory(new ConnectionOptions { Host = "db", SslMode = mode }, Env(home.FullName)));
            Assert.Equal("NorthSslRootCertificateMissing", missing.ErrorId);
            var expectedPath = Path.Combine(home.FullName, ".postgresql", "root.crt");
            Assert.Contains(expectedPath, missing.Message);
            Assert.Contains($"sslmode={mode}", missing.Message);

            var given = Path.Combine(home.FullName, "nowhere.crt");
            var named = Assert.Throws<NorthException>(() => new ConnectionFactory(new ConnectionOptions { ConnectionString = $"host=db sslmode={mode} sslrootcert={given}" }, Env(home.FullName)));
            Assert.Contains(given, named.Message);

            Directory.CreateDirectory(Path.GetDirectoryName(expectedPath)!);
            File.WriteAllText(expectedPath, "not checked until the handshake");
            var b = Built(new ConnectionFactory(new ConnectionOptions { Host = "db", SslMode = mode }, Env(home.FullName)));
            Assert.Equal(expected, b.SslMode);
            Assert.Equal(expectedPath, b.RootCertificate);

            File.WriteAllText(given, "a root of its own");
            var fromEnvironment = Built(new ConnectionFactory(new ConnectionOptions { Host = "db", SslMode = mode },
                Env(home.FullName, new Dictionary<string, string?> { ["PGSSLROOTCERT"] = given })));
            Assert.Equal(given, fromEnvironment.RootCertificate);
        }
        finally
        {
            home.Delete(true);
        }
    }

    [Theory]
    [InlineData("require", SslMode.Require)]
    [InlineData("prefer", SslMode.Prefer)]
    [InlineData("allow", SslMode.Allow)]
    [InlineData("disable", SslMode.Disable)]
    public void OtherModesDoNotVerifyAndNeedNoRoot(string mode, SslMode expected)
    {
        var b = Built(new ConnectionFactory(new ConnectionOptions { Host = "db", SslMode = mode }, Env(null)));
        Assert.Equal(expected, b.SslMode);
        Assert.Null(b.RootCertificate);
    }
}
