using North.Core.Connections;
using North.Core.Tests.Infrastructure;

namespace North.Core.Tests.Connections;

/// <summary>A <see cref="ConnectionFactory"/> on a test database, blind to this machine's PG* variables and ~/.pgpass.</summary>
internal static class TestConnections
{
    public static ConnectionFactory Factory(TestDatabase db, string? applicationName = null) => new(
        new ConnectionOptions { ConnectionString = db.ConnectionString, ApplicationName = applicationName },
        new ConnectionEnvironment { UserName = "north-tests", HomeDirectory = null });
}
