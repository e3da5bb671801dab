using System.Text;

namespace North.Core.Sql;

/// <summary>
/// The session settings that change how the rest of a script reads, decided in one place for
/// every file of a reading (the main file and each <c>\i</c>/<c>\ir</c>): how quotes lex
/// (<c>standard_conforming_strings</c>) and how the file's bytes decode (<c>client_encoding</c>).
/// A run follows the server's parameter status after every statement, however the setting
/// changed (<c>SET</c>, <c>SET LOCAL</c>, <c>set_config</c>, <c>RESET</c>), as psql does.
/// </summary>
public sealed class ReadingSession
{
    /// <summary>
    /// A reading no server answers (the plan, the repository check): the starting values
    /// (standard_conforming_strings on, UTF-8), changed only by what the file itself declares to the
    /// reader (<c>\encoding</c>, and <c>SET client_encoding</c> so that a legacy file can be read at all).
    /// </summary>
    public ReadingSession()
    {
        Offline = true;
    }

    /// <param name="parameters">The connection's parameter status (Npgsql's PostgresParameters), read again after each statement.</param>
    public ReadingSession(IReadOnlyDictionary<string, string> parameters)
    {
        ServerEncoding = parameters.TryGetValue("server_encoding", out var server) ? server : "UTF8";
        Follow(parameters, true);
    }

    /// <summary>No server answers: settings come from the file's own declarations.</summary>
    public bool Offline { get; }

    /// <summary>How a quote without E lexes: psql follows the server's standard_conforming_strings.</summary>
    public bool StandardConformingStrings { get; private set; } = true;

    /// <summary>The client encoding psql would have, by PostgreSQL's name (UTF8, LATIN1, SQL_ASCII...).</summary>
    public string ClientEncoding { get; private set; } = "UTF8";

    /// <summary>The database's encoding (what SQL_ASCII bytes are taken as).</summary>
    public string ServerEncoding { get; } = "UTF8";

    /// <summary>How the next lines of the file decode.</summary>
    public Encoding Decoding { get; private set; } = PostgresEncoding.StrictUtf8;

    /// <summary>Why a line that does not decode is refused, for the error's recommended action.</summary>
    public string DecodingAdvice { get; private set; } = DefaultAdvice;

    private const string DefaultAdvice = "Save the file as UTF-8, or declare its encoding with \\encoding or SET client_encoding at its top.";

    /// <summary>
    /// The client encoding changes (<c>\encoding</c>, and offline a <c>SET client_encoding</c>).
    /// False when North knows no decoder for the name.
    /// </summary>
    public bool Declare(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var clean = PostgresEncoding.Clean(name);
        if (clean is "default")
            clean = "utf8";
        if (clean == "sqlascii")
        {
            // psql sends the bytes unconverted; the server takes them as its own encoding, so they
            // decode as that. A SQL_ASCII database stores them as they are: only UTF-8 goes through
            // North's UTF-8 connection unchanged.
            var server = PostgresEncoding.Clean(ServerEncoding);
            Decoding = server == "sqlascii" ? PostgresEncoding.StrictUtf8 : PostgresEncoding.Find(ServerEncoding) ?? PostgresEncoding.StrictUtf8;
            ClientEncoding = "SQL_ASCII";
            DecodingAdvice = server == "sqlascii"
                ? "With client_encoding SQL_ASCII in a SQL_ASCII database psql stores the bytes as they are, and North's connection speaks UTF-8: only UTF-8 bytes can be stored unchanged. Convert the file to UTF-8."
                : $"With client_encoding SQL_ASCII psql sends the bytes unconverted and the server takes them as {ServerEncoding}, its own encoding, and refuses these too.";
            return true;
        }
        var decoding = PostgresEncoding.Find(name);
        if (decoding is null)
            return false;
        ClientEncoding = clean is "utf8" or "unicode" ? "UTF8" : name.Trim('\'').ToUpperInvariant();
        if (decoding != PostgresEncoding.StrictUtf8 && PostgresEncoding.Clean(ServerEncoding) == "sqlascii")
        {
            // psql sends these bytes to a SQL_ASCII database unconverted, and it stores them as they
            // are. North's connection speaks UTF-8 (Npgsql's encoding is fixed when it opens): the
            // same characters would be stored as different bytes. Only ASCII lines are sent.
            Decoding = Encoding.GetEncoding("us-ascii", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            DecodingAdvice = $"The file declares {ClientEncoding} and the database is SQL_ASCII: psql would store this file's bytes unconverted, which North's UTF-8 connection cannot send. Convert the file to UTF-8 (and drop the declaration) so the bytes stored are the file's.";
            return true;
        }
        Decoding = decoding;
        DecodingAdvice = DefaultAdvice;
        return true;
    }

    /// <summary>
    /// Takes the server's parameter status after a statement. Returns true when the server's
    /// client_encoding is no longer UTF8: North's connection always speaks UTF-8, so the caller sets
    /// it back on the server (the file's encoding is kept here, for decoding the lines that follow).
    /// </summary>
    /// <param name="parameters">The connection's parameter status.</param>
    /// <param name="namesClientEncoding">
    /// The statement names client_encoding (or is RESET ALL, DISCARD ALL, a new session): once the
    /// server was set back to UTF8, only such a statement can have brought the file back to UTF-8 too.
    /// </param>
    public bool Follow(IReadOnlyDictionary<string, string> parameters, bool namesClientEncoding)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.TryGetValue("standard_conforming_strings", out var scs))
            StandardConformingStrings = !string.Equals(scs, "off", StringComparison.OrdinalIgnoreCase);
        if (!parameters.TryGetValue("client_encoding", out var encoding))
            return false;
        if (PostgresEncoding.Clean(encoding) == "utf8")
        {
            if (namesClientEncoding)
                Declare("UTF8");
            return false;
        }
        if (!Declare(encoding))
            throw new InvalidOperationException($"The server's client_encoding {encoding} has no decoder in North.");
        return true;
    }
}
