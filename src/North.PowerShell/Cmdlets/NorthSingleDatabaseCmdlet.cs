using System.Management.Automation;
using North.Core.Targets;

namespace North.PowerShell.Cmdlets;

/// <summary>
/// A database cmdlet that acts on one database (or one server): the connection string, service,
/// host, port, database and user parameters, taken from the command line only.
/// </summary>
public abstract class NorthSingleDatabaseCmdlet : NorthDatabaseCmdlet
{
    /// <summary>
    /// A whole connection string: libpq keyword form (host=db dbname=app), a postgresql:// URI, or
    /// Npgsql's form (Host=db;Database=app). It wins over -Host, -Port, -Database and -Username.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary>A service name of libpq's pg_service.conf (PGSERVICEFILE or ~/.pg_service.conf, then PGSYSCONFDIR); default PGSERVICE.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    /// <summary>The server's host name, address or socket folder (default: PGHOST, else localhost).</summary>
    [Parameter]
    [Alias("Host", "Server")]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    /// <summary>The server's port (default: PGPORT, else 5432).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int? Port { get; set; }

    /// <summary>The database to act on (default: PGDATABASE, else the user name).</summary>
    [Parameter]
    [Alias("DatabaseName")]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    /// <summary>The role to connect as (default: PGUSER, else the operating system user).</summary>
    [Parameter]
    [Alias("User")]
    [ValidateNotNullOrEmpty]
    public string? Username { get; set; }

    private protected override DatabaseTarget GivenTarget => new()
    {
        ConnectionString = ConnectionString,
        Service = Service,
        Host = HostName,
        Port = Port,
        Database = Database,
        Username = Username,
    };
}
