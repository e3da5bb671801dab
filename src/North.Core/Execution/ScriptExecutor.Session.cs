using North.Core.Errors;
using North.Core.Sql;
using Npgsql;

namespace North.Core.Execution;

/// <summary>The session psql has: its settings as the server reports them, a new one at <c>\connect</c>.</summary>
public sealed partial class ScriptExecutor
{
    /// <summary>
    /// After a statement: the reading follows the server's parameter status (standard_conforming_strings,
    /// client_encoding), however the statement changed it. A client_encoding other than the connection's
    /// (UTF8; SQL_ASCII on a byte-transparent session) is kept for reading the file, and the server's is
    /// set back to the connection's, the only one Npgsql speaks on it.
    /// </summary>
    private async Task FollowSessionAsync(SqlStatement statement, Run run, CancellationToken cancel)
    {
        bool restore;
        try
        {
            restore = run.Session.Follow(_connection.PostgresParameters, NamesClientEncoding(statement), statement.Text);
        }
        catch (InvalidOperationException e)
        {
            throw new ScriptException(statement.File, statement.Line, statement.Column, e.Message,
                "Use an encoding North can decode (UTF8, LATIN1..., WIN1252..., the Asian encodings), or convert the file to UTF-8.",
                ErrorIds.ScriptInvalid, NorthErrorKind.InvalidData);
        }
        if (!restore)
            return;
        var wire = run.Session.WireEncoding;
        _reporter.Verbose(run.Session.ByteTransparent
            ? $"{statement.Location}: client_encoding is now {run.Session.ClientEncoding}: the file's next lines are checked as it and sent as their bytes; the connection goes on in {wire}"
            : $"{statement.Location}: client_encoding is now {run.Session.ClientEncoding}: the file's next lines decode as it; the connection goes on in UTF-8");
        try
        {
            await RawAsync($"SET client_encoding = '{wire}'", cancel);
        }
        catch (PostgresException e)
        {
            throw new ScriptException(statement.File, statement.Line, statement.Column, e, $"SET client_encoding = '{wire}' (North's, after the statement)");
        }
    }

    /// <summary>
    /// Whether a statement may have set client_encoding back to UTF8: once North set the server's back
    /// itself, the parameter status cannot tell (it says UTF8 either way). Its own text names it
    /// (SET, RESET, set_config), or it resets everything.
    /// </summary>
    private static bool NamesClientEncoding(SqlStatement statement) =>
        statement.Keyword != "SHOW" && statement.Text.Contains("client_encoding", StringComparison.OrdinalIgnoreCase)
        || statement.Keyword == "SET" && statement.Words.Contains("NAMES")
        || statement.Keyword is "RESET" or "DISCARD" && statement.Words.Count > 1 && statement.Words[1] == "ALL";

    /// <summary>
    /// The statements PostgreSQL only warns about outside a transaction block (WarnNoTransactionBlock):
    /// psql sends them in autocommit, where they do nothing. Null for any other statement.
    /// </summary>
    private static string? OnlyInTransactionBlock(SqlStatement statement)
    {
        if (statement.Keyword != "SET" || statement.Words.Count < 2)
            return null;
        return statement.Words[1] switch
        {
            "LOCAL" => "SET LOCAL",
            "TRANSACTION" => "SET TRANSACTION",
            "CONSTRAINTS" => "SET CONSTRAINTS",
            _ => null,
        };
    }

    /// <summary>
    /// <c>\connect</c> to the current database: psql opens a new session (temporary tables, SETs,
    /// search_path, prepared statements, advisory locks gone; the database's and role's settings
    /// read again). North keeps its connection and resets it: DISCARD ALL, then the settings of
    /// ALTER DATABASE/ROLE ... SET as a new session applies them, then North's own timeouts.
    /// Before the file's first statement the session is already a new one (reset after the last
    /// file): only the settings are read again, so a file may start with it whatever its mode.
    /// Elsewhere it is refused where no new session can start: in North's transaction, or in the
    /// file's own block.
    /// </summary>
    private async Task NewSessionAsync(MetaCommand meta, Run run, NpgsqlTransaction? transaction, CancellationToken cancel)
    {
        bool fresh = run.Statements == 0 && run.Options.EnclosingTransaction is null && run.Options.BeforeFirstStatement is null;
        if (!fresh && (transaction is not null || run.InOwnBlock))
            throw new ScriptException(meta.File, meta.Line, meta.Column,
                transaction is not null
                    ? $"\\{meta.Name} starts a new session in psql (temporary tables, SETs and search_path are gone), and North runs this file in one transaction, which a new session would end"
                    : $"\\{meta.Name} inside the file's own transaction block: psql's new session would roll that transaction back",
                transaction is not null
                    ? "Move what follows the \\connect into a file of its own (every file starts in a new session), or remove the line."
                    : "Put the \\connect after the block's COMMIT, or remove it.",
                ErrorIds.NewSessionInTransaction, NorthErrorKind.InvalidOperation);
        _current = null;
        var settings = new List<(string Name, string Value)>();
        try
        {
            if (!fresh)
                await RawAsync("DISCARD ALL", cancel);
            // Lowest precedence first, each later one overriding: ALTER ROLE ALL, the database's, the role's, the role's in this database.
            await using (var command = new NpgsqlCommand(
                "SELECT c FROM pg_db_role_setting s, unnest(s.setconfig) AS c " +
                "WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database())) " +
                "AND s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = session_user)) " +
                "ORDER BY s.setrole <> 0, s.setdatabase <> 0", _connection))
            await using (var rows = await command.ExecuteReaderAsync(cancel))
                while (await rows.ReadAsync(cancel))
                {
                    var entry = rows.GetString(0);
                    var equals = entry.IndexOf('=');
                    if (equals > 0)
                        settings.Add((entry[..equals], entry[(equals + 1)..]));
                }
            if (settings.Count > 0)
            {
                await using var batch = new NpgsqlBatch(_connection);
                foreach (var (name, value) in settings)
                    batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config($1, $2, false)")
                        { Parameters = { new() { Value = name }, new() { Value = value } } });
                await batch.ExecuteNonQueryAsync(cancel);
            }
        }
        catch (PostgresException e)
        {
            throw new ScriptException(meta.File, meta.Line, meta.Column, e, $"\\{meta.Name} (North's new session: DISCARD ALL and the database's settings)");
        }
        if (!fresh)
            await ApplyTimeoutsAsync(meta.File, run.Options, cancel);
        run.Session.Follow(_connection.PostgresParameters, true);
        _reporter.Verbose($"{meta.Location}: \\{meta.Name}: a new session on {_connection.Database} ({(fresh ? "" : "DISCARD ALL, ")}the database's and role's settings{(settings.Count > 0 ? $": {settings.Count}" : "")})");
    }
}
