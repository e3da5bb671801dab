using North.Core.Connections;
using North.Core.Tests.Infrastructure;

namespace North.Core.Tests.Connections;

/// <summary>A <see cref="ConnectionFactory"/> on a test database, blind to this machine's PG* variables and ~/.pgpass.</summary>
internal static class TestConnections
{
    /// <summary>
    /// The suite's owner of North's data sources, as the module's session is in PowerShell: the
    /// tests' migrators connect the way the module does. <see cref="TestDatabase"/> clears it
    /// before dropping a database.
    /// </summary>
    public static readonly ConnectionPools Pools = new();

    public static ConnectionFactory Factory(TestDatabase db, string? applicationName = null) => new(
        new ConnectionOptions { ConnectionString = db.ConnectionString, ApplicationName = applicationName },
        new ConnectionEnvironment { UserName = "north-tests", HomeDirectory = null }, Pools);
}
