namespace North.Core.Sql;

/// <summary>How a <see cref="ScriptReader"/> resolves what a script refers to.</summary>
public sealed class ScriptReaderOptions
{
    /// <summary>psql variables set before the first line (like <c>psql -v name=value</c>).</summary>
    public IReadOnlyDictionary<string, string>? Variables { get; init; }

    /// <summary>
    /// Folder <c>\i</c> paths are relative to (psql: its current folder; for a PowerShell user, the
    /// location). Null: a relative <c>\i</c> is an error, never the process's folder.
    /// </summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// The file is manual: its <c>--meta-psql:</c> lines are markers. In any other file they are
    /// comments. Default true (a reader of bare text, as in tests, sees the markers).
    /// </summary>
    public bool Manual { get; init; } = true;

    /// <summary>
    /// The database the script runs against: <c>\connect</c> naming it is accepted, naming another is
    /// an error. Null when unknown (reading without a database): any <c>\connect</c> is then accepted.
    /// </summary>
    public string? CurrentDatabase { get; init; }

    /// <summary>
    /// No database answers this reading (classification, the repository check): a <c>\if</c> whose
    /// expression names a variable only a query would set (<c>\gset</c>) cannot be decided, and
    /// every branch of it is read. False for the executor, which decides every <c>\if</c> as psql.
    /// </summary>
    public bool Offline { get; init; } = true;

    /// <summary>
    /// Environment <c>\getenv</c> reads first and <c>\setenv</c> writes (never the process's own);
    /// the executor shares one across a run's files. Null: this reading's own.
    /// </summary>
    public IDictionary<string, string?>? Environment { get; init; }

    /// <summary>Where psql's warnings go (an <c>\if</c> that is not a boolean, a recursive <c>:var</c>); null: dropped.</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>
    /// The session settings the reading follows (standard_conforming_strings, client_encoding): the
    /// executor's, which it updates from the server after every statement. Null: an offline
    /// reading's own, with the starting values (see <see cref="ReadingSession()"/>).
    /// </summary>
    public ReadingSession? Session { get => _session; init => _session = value; }

    private ReadingSession? _session;

    /// <summary>These options with another session (every other option kept, whatever options are added later).</summary>
    internal ScriptReaderOptions WithSession(ReadingSession session)
    {
        var copy = (ScriptReaderOptions)MemberwiseClone();
        copy._session = session;
        return copy;
    }

    /// <summary>Folders <c>\i</c>/<c>\ir</c> may read from (the migrations root and AllowedFolders); null: anywhere.</summary>
    public Repository.ReadableFolders? ReadableFolders { get; init; }
}
