using North.Core.Connections;
using North.Core.Errors;
using North.Core.Tests.Infrastructure;

namespace North.Core.Tests.Connections;

/// <summary>The oldest supported server is 13: the check's logic on version numbers, and the
/// suite's own server (13 or newer) let through a real connection.</summary>
public class SupportedServerTests
{
    [Theory]
    [InlineData(12, 22, "12.22")]
    [InlineData(10, 23, "10.23")]
    [InlineData(9, 6, "9.6.24")]
    public void AServerOlderThan13IsRefusedNamingItsVersion(int major, int minor, string text)
    {
        var refusal = SupportedServer.Refusal(new Version(major, minor), text, "db1:5432/app");
        Assert.NotNull(refusal);
        Assert.Equal("NorthServerUnsupported", refusal.ErrorId);
        Assert.Equal(NorthErrorKind.InvalidOperation, refusal.Kind);
        Assert.Equal("db1:5432/app", refusal.Target);
        Assert.Equal($"PostgreSQL {text} at db1:5432/app is not supported: North needs PostgreSQL 13 or newer (tested on 13 to 18).", refusal.Message);
    }

    [Theory]
    [InlineData(13, 0)]
    [InlineData(13, 23)]
    [InlineData(18, 4)]
    [InlineData(19, 0)]
    public void ServersFrom13OnAreAccepted(int major, int minor) =>
        Assert.Null(SupportedServer.Refusal(new Version(major, minor), $"{major}.{minor}", "db1:5432/app"));

    [Fact]
    public async Task TheSuitesServerOpensThroughTheFactory()
    {
        await using var db = await TestDatabase.CreateAsync();
        var factory = new ConnectionFactory(new ConnectionOptions { ConnectionString = db.ConnectionString });
        await using var connection = await factory.OpenAsync(pooled: false);
        Assert.True(connection.PostgreSqlVersion.Major >= SupportedServer.OldestMajor);
    }
}
