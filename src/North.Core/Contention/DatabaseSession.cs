using System.Globalization;
using Npgsql;

namespace North.Core.Contention;

/// <summary>
/// Another session of the database, as a DBA needs it to decide (a blocker of North's statement, or
/// a long transaction found before a run): who, from where, doing what, for how long.
/// </summary>
public sealed record DatabaseSession(int Pid, string? User, string? ApplicationName, string? ClientAddress, string? State,
    TimeSpan? TransactionAge, string? Query)
{
    // Each column the way the DBA reads it in pg_stat_activity; the query cut to its first line.
    private const string Columns = @"a.pid, a.usename::text, a.application_name, pg_catalog.host(a.client_addr), a.state,
  extract(epoch FROM pg_catalog.now() - a.xact_start)::float8,
  pg_catalog.left(pg_catalog.split_part(pg_catalog.btrim(a.query, E' \t\r\n'), E'\n', 1), 160)";

    /// <summary>The sessions that block <paramref name="pid"/> now (<c>pg_blocking_pids</c>): reads only, no transaction of its own.</summary>
    public static Task<IReadOnlyList<DatabaseSession>> ReadBlockersAsync(NpgsqlConnection connection, int pid, CancellationToken cancel) =>
        ReadAsync(connection, $"SELECT {Columns} FROM pg_catalog.pg_stat_activity a WHERE a.pid = ANY (pg_catalog.pg_blocking_pids($1)) ORDER BY a.pid",
            cancel, pid);

    /// <summary>
    /// Client sessions of the current database, other than North's own (<paramref name="exclude"/>), that are idle in a
    /// transaction or whose transaction is older than <paramref name="threshold"/>: they will block DDL.
    /// </summary>
    public static Task<IReadOnlyList<DatabaseSession>> ReadLongTransactionsAsync(NpgsqlConnection connection, TimeSpan threshold, int[] exclude, CancellationToken cancel) =>
        ReadAsync(connection, $@"SELECT {Columns} FROM pg_catalog.pg_stat_activity a
WHERE a.datname = pg_catalog.current_database() AND a.pid <> pg_catalog.pg_backend_pid() AND a.pid <> ALL ($1) AND a.backend_type = 'client backend'
  AND (a.state LIKE 'idle in transaction%' OR a.xact_start < pg_catalog.now() - $2::interval)
ORDER BY a.xact_start NULLS LAST, a.pid", cancel, exclude, threshold);

    private static async Task<IReadOnlyList<DatabaseSession>> ReadAsync(NpgsqlConnection connection, string sql, CancellationToken cancel, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        var sessions = new List<DatabaseSession>();
        while (await reader.ReadAsync(cancel).ConfigureAwait(false))
        {
            sessions.Add(new DatabaseSession(reader.GetInt32(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : TimeSpan.FromSeconds(reader.GetDouble(5)),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return sessions;
    }

    /// <summary>One line: <c>pid 4242 (user app, application 'psql', client 10.0.0.5, idle in transaction, transaction 12 s old): SELECT ...</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string> { "user " + (User ?? "?") };
        parts.Add($"application '{ApplicationName ?? ""}'");
        parts.Add("client " + (ClientAddress ?? "local"));
        if (State is not null) parts.Add(State);
        if (TransactionAge is TimeSpan age) parts.Add($"transaction {Age(age)} old");
        var query = string.IsNullOrWhiteSpace(Query) ? "" : ": " + Connections.SecretMask.InStatement(Query);
        return $"pid {Pid} ({string.Join(", ", parts)}){query}";
    }

    private static string Age(TimeSpan age) => age.TotalSeconds < 120
        ? age.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
        : age.TotalMinutes < 120 ? age.TotalMinutes.ToString("0", CultureInfo.InvariantCulture) + " min"
        : age.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " h";
}
