using System.Globalization;
using North.Core.Connections;
using North.Core.History;
using North.Core.Migrating;
using North.Core.Planning;
using North.Core.Schema;

namespace North.Core.Targets;

/// <summary>
/// Which database an output object is about: <see cref="Server"/> (<c>host:port</c>, or the socket
/// folder) and <see cref="Database"/>, as every output of a database cmdlet carries them.
/// </summary>
public sealed record TargetIdentity(string Server, string Database)
{
    /// <summary>The identity of the database <paramref name="connections"/> connects to.</summary>
    public static TargetIdentity Of(ConnectionFactory connections)
    {
        ArgumentNullException.ThrowIfNull(connections);
        var host = connections.Host;
        var server = host.StartsWith('/') || host.Contains(',')
            ? host
            : (host.Contains(':') ? $"[{host}]" : host) + ":" + connections.Port.ToString(CultureInfo.InvariantCulture);
        return new TargetIdentity(server, connections.Database);
    }

    /// <summary><c>server/database</c>: how errors and verbose lines name the target.</summary>
    public override string ToString() => $"{Server}/{Database}";

    /// <summary><paramref name="item"/> with this identity on it (output types of database cmdlets); other objects as they are.</summary>
    public object Stamp(object item) => item switch
    {
        StepResult r => r with { Server = Server, Database = Database },
        VersionInfo v => v with { Server = Server, Database = Database },
        MigrationStatus s => s with { Server = Server, Database = Database },
        PlanStep p => p with { Server = Server, Database = Database },
        HistoryRow h => h with { Server = Server, Database = Database },
        SchemaDifference d => d with { Server = Server, Database = Database },
        _ => item,
    };
}
