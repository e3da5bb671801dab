using System.Text;
using System.Text.RegularExpressions;

namespace North.Core.Sql;

/// <summary>
/// The session settings that change how the rest of a script reads, decided in one place for
/// every file of a reading (the main file and each <c>\i</c>/<c>\ir</c>): how quotes lex
/// (<c>standard_conforming_strings</c>) and how the file's bytes decode (<c>client_encoding</c>).
/// A run follows the server's parameter status after every statement, however the setting
/// changed (<c>SET</c>, <c>SET LOCAL</c>, <c>set_config</c>, <c>RESET</c>), as psql does.
/// </summary>
public sealed partial class ReadingSession
{
    /// <summary>
    /// A reading no server answers (the plan, the repository check): the starting values
    /// (standard_conforming_strings on, UTF-8), changed only by what the file says in words: <c>\encoding</c>
    /// and its plain <c>SET</c>/<c>RESET</c> of the two settings (see <see cref="Read"/>).
    /// </summary>
    public ReadingSession()
    {
        Offline = true;
    }

    /// <param name="parameters">The connection's parameter status (Npgsql's PostgresParameters), read again after each statement.</param>
    /// <param name="byteTransparent">
    /// The connection speaks bytes (client_encoding SQL_ASCII, a SQL_ASCII database: see
    /// North.Core.Connections.ByteTransparentSession), as its opener decided: text reaches the server as the
    /// bytes it holds (U+DC80-U+DCFF for a byte that is not UTF-8), so a file in another encoding is sent
    /// as its own bytes, as psql sends it.
    /// </param>
    public ReadingSession(IReadOnlyDictionary<string, string> parameters, bool byteTransparent = false)
    {
        ServerEncoding = parameters.TryGetValue("server_encoding", out var server) ? server : "UTF8";
        ByteTransparent = byteTransparent && PostgresEncoding.Clean(ServerEncoding) == "sqlascii";
        WireEncoding = ByteTransparent ? "SQL_ASCII" : "UTF8";
        Follow(parameters, true);
        if (PostgresEncoding.Clean(ServerEncoding) == "sqlascii" && !ByteTransparent)
            DecodingAdvice = SqlAsciiDatabaseAdvice;
    }

    /// <summary>
    /// Whether a file reads the same in every session: its bytes are all ASCII and none is a
    /// backslash. Neither setting can then change how it lexes: every encoding PostgreSQL speaks
    /// to a client extends ASCII, and a quote lexes otherwise only next to a backslash. Such a
    /// file has no meta-command, no <c>\i</c> and no <c>\.</c> either. Read in chunks: a data load
    /// of many megabytes is not held whole.
    /// </summary>
    public static bool FileReadsAlike(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var buffer = new byte[Math.Clamp(stream.Length, 1, 64 * 1024)];
            for (int read; (read = stream.Read(buffer)) > 0;)
                if (!BytesReadAlike(buffer.AsSpan(0, read)))
                    return false;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // Its reading says why.
        }
    }

    /// <summary>The same for text a reading takes in (psql variables' values are lexed where they are used).</summary>
    public static bool TextReadsAlike(string? text) => text is null || (!text.AsSpan().ContainsAnyExceptInRange('\0', '\x7F') && !text.Contains('\\'));

    private static bool BytesReadAlike(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExceptInRange((byte)0, (byte)0x7F) && !bytes.Contains((byte)'\\');

    /// <summary>The connection sends text as bytes (see the constructor): a declared encoding's bytes go as they are.</summary>
    public bool ByteTransparent { get; }

    /// <summary>The client_encoding of North's connection, which North sets back after a file changed it: UTF8, or SQL_ASCII when <see cref="ByteTransparent"/>.</summary>
    public string WireEncoding { get; } = "UTF8";

    /// <summary>
    /// No server answers: settings come from the file's own words. A run follows the server
    /// instead; the two differ only where the file changes a setting another way (set_config, SET
    /// LOCAL outside a block), which offline keeps the value it had.
    /// </summary>
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

    private const string SqlAsciiDatabaseAdvice =
        "In a SQL_ASCII database psql (with client_encoding SQL_ASCII) stores a file's bytes as they are, and North's connection speaks UTF-8: only UTF-8 bytes can be stored unchanged. Convert the file to UTF-8.";

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
        if (ByteTransparent && clean is not ("utf8" or "unicode"))
            return DeclareOverBytes(name, clean);
        if (clean == "sqlascii")
        {
            // psql sends the bytes unconverted; the server takes them as its own encoding, so they
            // decode as that. A SQL_ASCII database stores them as they are: only UTF-8 goes through
            // North's UTF-8 connection unchanged.
            var server = PostgresEncoding.Clean(ServerEncoding);
            // Offline no server says what the database's encoding is: every byte but NUL reads, and the run checks them.
            Decoding = Offline ? Connections.EscapedUtf8Encoding.Instance
                : server == "sqlascii" ? PostgresEncoding.StrictUtf8 : PostgresEncoding.Find(ServerEncoding) ?? PostgresEncoding.StrictUtf8;
            ClientEncoding = "SQL_ASCII";
            DecodingAdvice = server == "sqlascii"
                ? SqlAsciiDatabaseAdvice
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
        DecodingAdvice = PostgresEncoding.Clean(ServerEncoding) == "sqlascii" && !ByteTransparent ? SqlAsciiDatabaseAdvice : DefaultAdvice;
        return true;
    }

    /// <summary>
    /// A declaration on a byte-transparent connection to a SQL_ASCII database, where psql's bytes are
    /// stored as sent. The server checks them as PostgreSQL's pg_any_to_server does: SQL_ASCII not at all
    /// (North takes every byte but NUL), a server-side encoding as valid in it: a single-byte one (LATIN1,
    /// WIN1252...) in every byte but NUL, a multi-byte one (EUC_JP...) as North decodes it strictly, then keeps the bytes, a client-only one (SJIS, BIG5, GBK, UHC,
    /// GB18030) refused on any non-ASCII byte (North refuses the line, at it).
    /// </summary>
    private bool DeclareOverBytes(string name, string clean)
    {
        if (clean == "sqlascii")
        {
            ClientEncoding = "SQL_ASCII";
            Decoding = Connections.EscapedUtf8Encoding.Instance;
            DecodingAdvice = DefaultAdvice;
            return true;
        }
        var decoding = PostgresEncoding.Find(name);
        if (decoding is null)
            return false;
        ClientEncoding = name.Trim('\'').ToUpperInvariant();
        if (PostgresEncoding.ClientOnly(clean))
        {
            Decoding = Encoding.GetEncoding("us-ascii", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            DecodingAdvice = $"{ClientEncoding} is not an encoding a PostgreSQL database can have: into a SQL_ASCII database the server refuses any non-ASCII byte of it, under psql too. Convert the file to UTF-8, or to a server encoding such as EUC_JP.";
            return true;
        }
        // A single-byte encoding is valid in every byte but NUL (PostgreSQL's verifier for them), which the reader refuses anyway.
        Decoding = decoding.IsSingleByte ? Connections.EscapedUtf8Encoding.Instance : new BytesAsDeclared(decoding);
        DecodingAdvice = $"The file declares {ClientEncoding}: into a SQL_ASCII database psql's bytes are stored as they are, once the server has checked they are valid {ClientEncoding}. Correct the bytes, or declare the encoding they are in.";
        return true;
    }

    /// <summary>
    /// Offline, a statement the file reads past: how psql's session would change, in the forms a
    /// file says it in words: <c>SET</c> (<c>SESSION</c>, <c>LOCAL</c>, <c>NAMES</c>), <c>RESET</c>,
    /// <c>RESET ALL</c>, <c>set_config('...', '...', ...)</c> with literal arguments, and the end of a
    /// transaction block (COMMIT drops the LOCAL values, ROLLBACK every change of the block). Without
    /// this a legacy dump (LATIN1, or standard_conforming_strings off with <c>'it\'s'</c>) could not even
    /// be planned. Any other way (a function, a variable) keeps the value offline; a run asks the server.
    /// </summary>
    internal void Read(SqlStatement statement)
    {
        switch (statement.Control)
        {
            case TransactionControl.Begin or TransactionControl.BeginWithOptions:
                _blockStart = (StandardConformingStrings, ClientEncoding);
                _session = _blockStart.Value;
                return;
            case TransactionControl.Commit:
                if (_blockStart is not null)
                    Apply(_session.Strings, _session.Encoding, statement);
                _blockStart = null;
                return;
            case TransactionControl.Rollback:
                if (_blockStart is { } start)
                    Apply(start.Strings, start.Encoding, statement);
                _blockStart = null;
                return;
        }
        if (statement.Keyword == "SELECT")
        {
            foreach (Match call in SetConfig().Matches(statement.Text))
                Change(call.Groups["n"].Value.ToUpperInvariant(), call.Groups["v"].Value, call.Groups["l"].Value.ToLowerInvariant() is "true" or "'true'" or "'on'" or "'t'", statement);
            return;
        }
        if (statement.Keyword is not ("SET" or "RESET") || statement.Words.Count < 2)
            return;
        if (statement.Keyword == "RESET" && statement.Words[1] == "ALL")
        {
            Change("STANDARD_CONFORMING_STRINGS", "DEFAULT", false, statement);
            Change("CLIENT_ENCODING", "DEFAULT", false, statement);
            return;
        }
        bool local = statement.Words[1] == "LOCAL";
        var setting = statement.Words[1] is "SESSION" or "LOCAL" && statement.Words.Count > 2 ? statement.Words[2] : statement.Words[1];
        if (setting is not ("CLIENT_ENCODING" or "NAMES" or "STANDARD_CONFORMING_STRINGS"))
            return;
        string value = "DEFAULT";
        if (statement.Keyword == "SET")
        {
            var m = SetValue().Match(statement.Text);
            if (!m.Success)
                return;
            value = m.Groups["v"].Value;
        }
        Change(setting == "NAMES" ? "CLIENT_ENCODING" : setting, value, local, statement);
    }

    /// <summary>
    /// A reading of text North already holds (a <c>\gexec</c> cell): the quotes lex by this session's
    /// standard_conforming_strings; the text is UTF-8 whatever the file's encoding.
    /// </summary>
    internal ReadingSession ForText() => new() { StandardConformingStrings = StandardConformingStrings, _session = (StandardConformingStrings, "UTF8") };

    /// <summary>Offline, psql's <c>\connect</c>: the new session starts from the starting values (a run asks the server).</summary>
    internal void NewSession()
    {
        StandardConformingStrings = true;
        Declare("UTF8");
        _session = (true, "UTF8");
        _blockStart = null;
    }

    // Offline: the values a COMMIT keeps, and those a ROLLBACK goes back to (inside a block).
    private (bool Strings, string Encoding) _session = (true, "UTF8");
    private (bool Strings, string Encoding)? _blockStart;

    private void Change(string setting, string value, bool local, SqlStatement statement)
    {
        if (local && _blockStart is null)
            return; // psql: outside a transaction block a LOCAL change lasts for its own statement only
        bool strings = StandardConformingStrings;
        string encoding = ClientEncoding;
        if (setting == "STANDARD_CONFORMING_STRINGS")
            strings = value.ToLowerInvariant() is not ("off" or "false" or "0" or "no" or "of");
        else
            encoding = value.Equals("DEFAULT", StringComparison.OrdinalIgnoreCase) ? "UTF8" : value;
        Apply(strings, encoding, statement);
        if (!local)
            _session = (StandardConformingStrings, ClientEncoding);
    }

    private void Apply(bool strings, string encoding, SqlStatement statement)
    {
        StandardConformingStrings = strings;
        if (encoding != ClientEncoding && !Declare(encoding))
            throw new ScriptSyntaxException(statement.File, statement.Line, statement.Column, $"unknown client encoding '{encoding}'");
    }

    [GeneratedRegex(@"(?:=|\bTO\b|\bNAMES\b)\s*'?(?<v>[A-Za-z0-9_\-]+)'?\s*;?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex SetValue();

    [GeneratedRegex(@"sql_?ascii", RegexOptions.IgnoreCase)]
    private static partial Regex SqlAscii();

    [GeneratedRegex(@"\bset_config\s*\(\s*'(?<n>standard_conforming_strings|client_encoding)'\s*,\s*'(?<v>[A-Za-z0-9_\-]*)'\s*,\s*(?<l>true|false|'[a-z]*')\s*\)", RegexOptions.IgnoreCase)]
    private static partial Regex SetConfig();

    /// <summary>
    /// Takes the server's parameter status after a statement. Returns true when the server's
    /// client_encoding is no longer the connection's own (<see cref="WireEncoding"/>), so the caller sets
    /// it back on the server (the file's encoding is kept here, for decoding the lines that follow).
    /// </summary>
    /// <param name="parameters">The connection's parameter status.</param>
    /// <param name="namesClientEncoding">
    /// The statement names client_encoding (or is RESET ALL, DISCARD ALL, a new session): once the
    /// server was set back to UTF8, only such a statement can have brought the file back to UTF-8 too.
    /// </param>
    /// <param name="statementText">The statement's text, which says whether a SET named SQL_ASCII itself.</param>
    public bool Follow(IReadOnlyDictionary<string, string> parameters, bool namesClientEncoding, string? statementText = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.TryGetValue("standard_conforming_strings", out var scs))
            StandardConformingStrings = !string.Equals(scs, "off", StringComparison.OrdinalIgnoreCase);
        if (!parameters.TryGetValue("client_encoding", out var encoding))
            return false;
        if (PostgresEncoding.Clean(encoding) == PostgresEncoding.Clean(WireEncoding))
        {
            // The server says the connection's own: the file's encoding changed only if the statement
            // named it. Over bytes that is SQL_ASCII when the statement says so (a SQL_ASCII pg_dump's
            // SET), else psql's own start (RESET, DEFAULT, DISCARD ALL): UTF8.
            if (namesClientEncoding)
                Declare(ByteTransparent && statementText is not null && SqlAscii().IsMatch(statementText) ? "SQL_ASCII" : "UTF8");
            return false;
        }
        if (!Declare(encoding))
            throw new InvalidOperationException($"The server's client_encoding {encoding} has no decoder in North.");
        return true;
    }
}
